// Benchmarks of the real engine on a full stamp, against the offline plan of
// the same stack (docs/benchmarks.md gives the commands and the figures).

package lifecycle

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"

	"github.com/kpax/kpax-cloud/bench"
	"github.com/kpax/kpax-cloud/program"
)

// benchSizes are the stamp sizes measured: the growth between them says
// what is linear. A full stamp is bench.StampTenants.
var benchSizes = []int{10, 25, 50, bench.StampTenants}

// checkpointSizes are the sizes measured with the file backend's
// intermediate checkpoints: they grow quadratically (a minute at 10
// tenants), so the larger stamps are extrapolated from these.
var checkpointSizes = []int{10, 25}

// stampProject writes a project whose prod-fr holds n synthetic tenants.
func stampProject(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "src")
	if err := bench.WriteStamp(dir, repoRoot(), "fr", n); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkStampOfflinePlan is the program under mocks: kpax plan.
func BenchmarkStampOfflinePlan(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			dir := stampProject(b, n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, err := program.Plan(dir, "prod-fr")
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(p.Resources)), "resources")
			}
		})
	}
}

// BenchmarkStampUp is a first `pulumi up` of a stamp on a file backend, with
// and without the intermediate checkpoints the file backend writes after
// every step.
func BenchmarkStampUp(b *testing.B) {
	for _, checkpoints := range []bool{false, true} {
		sizes := benchSizes
		if checkpoints {
			sizes = checkpointSizes
		}
		for _, n := range sizes {
			b.Run(fmt.Sprintf("checkpoints=%v/tenants=%d", checkpoints, n), func(b *testing.B) {
				src := stampProject(b, n)
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					w := newWorldFrom(b, src, "prod-fr")
					if checkpoints {
						delete(w.env, "PULUMI_SKIP_CHECKPOINTS")
						w.open()
					}
					b.StartTimer()
					r := w.up()
					if r.err != nil {
						b.Fatal(r.err)
					}
					b.ReportMetric(float64(len(r.steps)), "steps")
				}
			})
		}
	}
}

// BenchmarkStampPreview previews a deployed stamp after a change to one
// tenant, untargeted and targeted at the URNs the change touches (as the
// preview workflow does), and reports the steps each shows.
func BenchmarkStampPreview(b *testing.B) {
	for _, n := range benchSizes {
		src := stampProject(b, n)
		w := newWorldFrom(b, src, "prod-fr")
		if r := w.up(); r.err != nil {
			b.Fatal(r.err)
		}
		base := w.snapshot()
		w.edit("tenants/fr/t00000.yaml", func(s string) string { return strings.Replace(s, "tier: small", "tier: standard", 1) })
		targets, err := program.Targets(base, w.dir, "prod-fr")
		if err != nil {
			b.Fatal(err)
		}
		for _, mode := range []string{"untargeted", "targeted"} {
			b.Run(fmt.Sprintf("tenants=%d/%s", n, mode), func(b *testing.B) {
				var opts []optpreview.Option
				if mode == "targeted" {
					opts = []optpreview.Option{optpreview.Target(targets), optpreview.TargetDependents()}
				}
				for i := 0; i < b.N; i++ {
					r := w.preview(opts...)
					if r.err != nil {
						b.Fatal(r.err)
					}
					b.ReportMetric(float64(len(r.steps)), "steps")
					b.ReportMetric(float64(len(targets)), "targets")
				}
			})
		}
	}
}
