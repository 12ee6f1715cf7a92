// kpax tenant new: scaffolds a tenant file that validates, with its tier's
// defaults as comments.

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/spec"
)

func newTenantCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "tenant", Short: "Scaffold tenant files"}
	cmd.AddCommand(newTenantNewCmd())
	return cmd
}

func newTenantNewCmd() *cobra.Command {
	var dir, region, tier, runtime, ring, image string
	cmd := &cobra.Command{
		Use:   "new NAME --region R --tier T --runtime container|vm [--ring R] [--image IMAGE]",
		Short: "Write tenants/<region>/<name>.yaml from the tier's defaults, and validate it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if region == "" || tier == "" || runtime == "" {
				return &exitError{exitUsage, fmt.Errorf("kpax tenant new: --region, --tier and --runtime are required")}
			}
			preset, ok := spec.PresetFor(spec.Tier(tier))
			if !ok {
				return &exitError{exitUsage, fmt.Errorf("kpax tenant new: --tier %q is not supported: one of %s", tier, joinTiers())}
			}
			if runtime != string(spec.RuntimeContainer) && runtime != string(spec.RuntimeVM) {
				return &exitError{exitUsage, fmt.Errorf("kpax tenant new: --runtime %q is not supported: container or vm", runtime)}
			}
			if existing, _ := filepath.Glob(filepath.Join(dir, "tenants", "*", name+".yaml")); len(existing) > 0 {
				rel, _ := filepath.Rel(dir, existing[0])
				return &exitError{exitInvalid, fmt.Errorf("kpax tenant new: tenant %q exists already: %s (names are unique across all regions)", name, filepath.ToSlash(rel))}
			}
			rel := filepath.ToSlash(filepath.Join("tenants", region, name+".yaml"))
			path := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return &exitError{exitInvalid, err}
			}
			// A container tenant takes the first environment slot its
			// region's stamp 1 leaves free (a broken project gives slot 0,
			// and the validation below then names the clash).
			slot := 0
			follows := "" // the ring it follows by default
			if p, err := spec.LoadRegion(dir, region); err == nil {
				slot = max(spec.FreeSlot(p.Tenants, 1), 0)
				if r := p.Regions[region]; r != nil && r.DefaultRing != "" {
					follows = r.DefaultRing
				} else if last := p.Releases.Last(); last != nil {
					follows = last.Name
				}
			}
			if err := os.WriteFile(path, []byte(renderTenant(name, region, spec.Tier(tier), spec.Runtime(runtime), preset, slot, ring, follows, image)), 0o644); err != nil {
				return &exitError{exitInvalid, err}
			}
			// The validator is the one judge of a name, a region and a
			// file: a file it rejects is not left behind.
			if _, err := spec.LoadProject(dir); err != nil {
				var diags spec.Diagnostics
				if errors.As(err, &diags) {
					var mine spec.Diagnostics
					for _, d := range diags {
						if d.File == rel || strings.Contains(d.Message, rel) {
							mine = append(mine, d)
						}
					}
					if len(mine) > 0 {
						os.Remove(path)
						printDiagnostics(cmd.ErrOrStderr(), mine, "text")
						return &exitError{exitInvalid, fmt.Errorf("kpax tenant new: %s not written", rel)}
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%s, %s); next: kpax plan --stack prod-%s --tenant %s\n", rel, tier, runtime, region, name)
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&region, "region", "", "region key: fr, uk, us, ca, za or in")
	cmd.Flags().StringVar(&tier, "tier", "", "small, standard or large")
	cmd.Flags().StringVar(&runtime, "runtime", "", "container or vm")
	cmd.Flags().StringVar(&ring, "ring", "", "the ring of releases.yaml the tenant follows (default: its region's defaultRing, else the last ring)")
	cmd.Flags().StringVar(&image, "image", "", "pin a KPAX server image instead of following the ring (the tenant is then held back)")
	return cmd
}

func joinTiers() string {
	names := make([]string, len(spec.Tiers))
	for i, t := range spec.Tiers {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// renderTenant writes the fields a tenant must state, and the tier's
// defaults as comments: uncommenting a line overrides the tier, and a tier
// change later still moves every line left commented. The KPAX server image
// is its ring's: the file names one only when asked (ring, image).
func renderTenant(name, region string, tier spec.Tier, runtime spec.Runtime, p spec.Preset, slot int, ring, follows, image string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# KPAX space %s in region %s, written by `kpax tenant new`.", name, region)
	w("# Commented lines are the %s tier's defaults: uncomment one to override it.", tier)
	w("name: %s", name)
	w("displayName: %s", name)
	w("region: %s", region)
	w("tier: %s             # small | standard | large", tier)
	w("runtime: %s          # container | vm", runtime)
	w("state: active              # active | suspended | decommissioned")
	if ring != "" {
		w("ring: %s                 # the ring of releases.yaml whose KPAX version it runs", ring)
	} else if follows != "" {
		w("# ring: %s               # the ring of releases.yaml whose KPAX version it runs: the region's defaultRing, else the last ring", follows)
	}
	pin := "# image: <registry>/kpax-server:<version>   # a pin: the tenant stays on it, held back from its ring"
	if image != "" {
		pin = "image: " + image + "   # a pin: the tenant stays on it, held back from its ring"
	}
	if runtime == spec.RuntimeContainer {
		w("container:")
		w("  %s", pin)
		w("  slot: %d                  # its own environment subnet in the stamp; never reuse or change it", slot)
		w("  # replicas: %d            # at least 2, so that losing a zone leaves the tenant up", p.Container.Replicas)
		w("  # cpu: %g                 # vCPUs per replica; memory is twice that in GiB", p.Container.CPU)
	} else {
		w("vm:")
		w("  image: %s", p.VM.Image)
		w("  %s", strings.Replace(pin, "image:", "serverImage:", 1))
		w("  # size: %s", p.VM.Size)
		w("  # instances: %d           # at least 2, spread over the zones", p.VM.Instances)
	}
	w("# database:")
	w("#   sku: %s", p.Database.SKU)
	w("#   maxSizeGB: %d", p.Database.MaxSizeGB)
	w("#   backupRetentionDays: %d   # point-in-time restore window, 1..35", p.Database.BackupRetentionDays)
	w("#   longTermRetention: {weeks: %d, months: %d, years: %d}", p.Database.LongTermRetention.Weeks, p.Database.LongTermRetention.Months, p.Database.LongTermRetention.Years)
	w("#   server: %d                # the region's shared logical server", p.Database.Server)
	w("# storage:")
	w("#   quotaGB: %d             # the file share that holds the KPAX files, for containers and VMs alike", p.Storage.QuotaGB)
	w("#   redundancy: %s", p.Storage.Redundancy)
	w("# backup:")
	w("#   dailyAt: \"01:00\"         # UTC, on the hour or half hour; default: the region's")
	w("#   retentionDays: %d", p.BackupRetentionDays)
	w("# dns:")
	w("#   hostname: %s", name)
	w("# tags: {costCenter: \"0000\"}")
	return b.String()
}
