package bench

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/spec"
)

// BenchmarkLoadProject reads, decodes, defaults and validates a project of
// n synthetic tenant files over the six real regions (each opened to ten
// stamps of 98 tenants).
//
// A valid project holds at most 6 x 10 x 98 = 5,880 tenants: maxTenants is
// capped at 98 (the gateway's listener limit) and a region at ten stamps
// (address space). 10,000 tenants therefore measure a load whose capacity
// check fails: 4,120 tenants get a located "stamp ... holds at most 98
// tenants" error, which the benchmark asserts, so the run does every check
// and builds every diagnostic.
func BenchmarkLoadProject(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			root := b.TempDir()
			layout, err := WriteProject(root, "..", n)
			if err != nil {
				b.Fatal(err)
			}
			check := func(p *spec.Project, err error) {
				if layout.OverCapacity == 0 {
					if err != nil {
						b.Fatal(err)
					}
					if len(p.Tenants) != n {
						b.Fatalf("loaded %d tenants, want %d", len(p.Tenants), n)
					}
					return
				}
				// Each tenant past a stamp's maxTenants is told so; the
				// full stamps' gateway limits are told once per stamp.
				var diags spec.Diagnostics
				over := 0
				if errors.As(err, &diags) {
					for _, d := range diags {
						if strings.Contains(d.Message, "holds at most") {
							over++
						}
					}
				}
				if over != layout.OverCapacity {
					b.Fatalf("%d tenants over a capacity of %d: want %d diagnostics, got %d (%v)",
						n, layout.Capacity(), layout.OverCapacity, over, firstLine(err))
				}
			}
			check(spec.LoadProject(root)) // warm the page cache; check once
			b.ReportAllocs()
			peak := StartPeak(b)
			for i := 0; i < b.N; i++ {
				p, err := spec.LoadProject(root)
				if i == 0 {
					check(p, err)
				}
			}
			peak.Stop()
			b.ReportMetric(float64(n), "tenants")
		})
	}
}

func firstLine(err error) string {
	if err == nil {
		return "no error"
	}
	s := err.Error()
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
