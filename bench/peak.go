// Peak: the peak heap and RSS of a benchmark's timed loop, sampled while it
// runs.

package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// heapObjects is the bytes of heap objects, live or not yet swept: what the
// program's allocations hold at one moment, without the runtime's free
// spans. Reading it does not stop the world.
const heapObjects = "/memory/classes/heap/objects:bytes"

// samplePeriod is how often Peak samples the heap. A run of the smallest
// benchmark lasts tens of milliseconds, so this catches its peak closely,
// and a sample costs about a microsecond.
const samplePeriod = time.Millisecond

// Peak measures the peak memory of a benchmark's timed loop, two ways:
//
//   - peak-heap-MB: the highest heap-objects size sampled every
//     millisecond. It is the Go heap alone (live data plus garbage not yet
//     collected, so it depends on GOGC), and is comparable between
//     benchmarks run in the same process.
//   - peak-RSS-MB: the process's peak resident set (VmHWM), reset before the
//     loop through /proc/self/clear_refs. It is what the machine sees:
//     heap, stacks, runtime metadata and the binary, but it also keeps
//     pages the runtime has not yet given back from earlier benchmarks, so
//     it reads high for small runs.
//
// It also reports cpu-s/op: the user and system CPU time of the whole
// process (every goroutine and the garbage collector) per iteration, which
// other processes on a shared machine disturb less than wall time.
//
// Start it after the setup, right before the loop (it calls
// b.ResetTimer), and Stop it right after.
type Peak struct {
	b    *testing.B
	stop chan struct{}
	done sync.WaitGroup
	max  uint64
	cpu  time.Duration
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// StartPeak starts measuring; b's timer is reset.
func StartPeak(b *testing.B) *Peak {
	runtime.GC()
	debug.FreeOSMemory()
	// "5" resets the peak RSS (VmHWM) to the current RSS (Linux 4.0+).
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	p := &Peak{b: b, stop: make(chan struct{})}
	p.done.Add(1)
	go p.sample()
	p.cpu = cpuTime()
	b.ResetTimer()
	return p
}

func (p *Peak) sample() {
	defer p.done.Done()
	s := []metrics.Sample{{Name: heapObjects}}
	t := time.NewTicker(samplePeriod)
	defer t.Stop()
	for {
		metrics.Read(s)
		if v := s[0].Value.Uint64(); v > p.max {
			p.max = v
		}
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

// Stop stops the timer and the sampling and reports the peaks.
func (p *Peak) Stop() {
	p.b.StopTimer()
	cpu := cpuTime() - p.cpu
	close(p.stop)
	p.done.Wait()
	p.b.ReportMetric(cpu.Seconds()/float64(p.b.N), "cpu-s/op")
	p.b.ReportMetric(float64(p.max)/(1<<20), "peak-heap-MB")
	if hwm, ok := vmHWM(); ok {
		p.b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MB")
	}
}

// vmHWM is the process's peak resident set in bytes.
func vmHWM() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte("VmHWM:")) {
			continue
		}
		f := bytes.Fields(line[len("VmHWM:"):])
		if len(f) < 1 {
			return 0, false
		}
		kb, err := strconv.ParseUint(string(f[0]), 10, 64)
		return kb << 10, err == nil
	}
	return 0, false
}
