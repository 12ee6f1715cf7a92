package spec

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

const (
	subFR = "11111111-aaaa-4bbb-8ccc-000000000001"
	subUK = "11111111-aaaa-4bbb-8ccc-000000000002"
)

func stackFile(region, location, sub string, extra ...string) string {
	s := "config:\n  kpax-cloud:region: " + region + "\n  azure-native:location: " + location + "\n"
	if sub != "" {
		s += "  azure-native:subscriptionId: " + sub + "\n"
	}
	for _, e := range extra {
		s += "  " + e + "\n"
	}
	return s
}

func TestStackFiles(t *testing.T) {
	frTwoStamps := region("maxTenants: 60", "maxTenants: 60\nstamps: 2")
	tests := []struct {
		name  string
		files map[string]string
		want  []string // located diagnostics, in order; none for a valid project
	}{
		{
			name: "one subscription per region",
			files: map[string]string{
				"Pulumi.prod-fr.yaml": stackFile("fr", "francecentral", subFR),
				"Pulumi.prod-uk.yaml": stackFile("uk", "uksouth", subUK),
			},
		},
		{
			name: "no subscription",
			files: map[string]string{
				"Pulumi.prod-fr.yaml": stackFile("fr", "francecentral", ""),
			},
			want: []string{`Pulumi.prod-fr.yaml:1:1: config.azure-native:subscriptionId: is required: the Azure subscription this stack deploys to`},
		},
		{
			name: "not a GUID",
			files: map[string]string{
				"Pulumi.prod-fr.yaml": stackFile("fr", "francecentral", "my-subscription"),
			},
			want: []string{`Pulumi.prod-fr.yaml:4:32: config.azure-native:subscriptionId: must be a subscription ID, a GUID like`},
		},
		{
			name: "two regions in one subscription",
			files: map[string]string{
				"Pulumi.prod-fr.yaml": stackFile("fr", "francecentral", subFR),
				"Pulumi.prod-uk.yaml": stackFile("uk", "uksouth", strings.ToUpper(subFR)),
			},
			want: []string{`Pulumi.prod-uk.yaml:4:32: config.azure-native:subscriptionId: is also the subscription of prod-fr (region fr): each region deploys to a subscription of its own`},
		},
		{
			name: "declared by one region only",
			files: map[string]string{
				"regions/fr.yaml":     region("maxTenants: 60", "maxTenants: 60\nsharesSubscriptionWith: [uk]"),
				"Pulumi.prod-fr.yaml": stackFile("fr", "francecentral", subFR),
				"Pulumi.prod-uk.yaml": stackFile("uk", "uksouth", subFR),
			},
			want: []string{`Pulumi.prod-uk.yaml:4:32: config.azure-native:subscriptionId: is also the subscription of prod-fr`},
		},
		{
			name: "shared on purpose by both regions",
			files: map[string]string{
				"regions/fr.yaml":     region("maxTenants: 60", "maxTenants: 60\nsharesSubscriptionWith: [uk]"),
				"regions/uk.yaml":     strings.Replace(ukRegion, "maxTenants: 60", "maxTenants: 60\nsharesSubscriptionWith: [fr]", 1),
				"Pulumi.prod-fr.yaml": stackFile("fr", "francecentral", subFR),
				"Pulumi.prod-uk.yaml": stackFile("uk", "uksouth", subFR),
			},
		},
		{
			name: "shares with an unknown region or itself",
			files: map[string]string{
				"regions/fr.yaml": region("maxTenants: 60", "maxTenants: 60\nsharesSubscriptionWith: [fr, de]"),
			},
			want: []string{
				`regions/fr.yaml:8:26: sharesSubscriptionWith.0: names region fr itself`,
				`regions/fr.yaml:8:30: sharesSubscriptionWith.1: must name a region (fr, uk) (got "de")`,
			},
		},
		{
			name: "a stamp of the region shares its subscription",
			files: map[string]string{
				"regions/fr.yaml":       frTwoStamps,
				"Pulumi.prod-fr.yaml":   stackFile("fr", "francecentral", subFR),
				"Pulumi.prod-fr-2.yaml": stackFile("fr", "francecentral", subFR, `kpax-cloud:stamp: "2"`),
			},
		},
		{
			name: "a stamp in its own subscription names stamp 1's for DNS",
			files: map[string]string{
				"regions/fr.yaml":       frTwoStamps,
				"Pulumi.prod-fr.yaml":   stackFile("fr", "francecentral", subFR),
				"Pulumi.prod-fr-2.yaml": stackFile("fr", "francecentral", subUK, `kpax-cloud:stamp: "2"`),
			},
			want: []string{`Pulumi.prod-fr-2.yaml:1:1: config.kpax-cloud:dnsSubscriptionId: must be ` + subFR + `, the subscription of prod-fr, which holds region fr's DNS zone`},
		},
		{
			name: "wrong region, location and stamp",
			files: map[string]string{
				"Pulumi.prod-fr.yaml": stackFile("uk", "uksouth", subFR, `kpax-cloud:stamp: "3"`),
			},
			want: []string{
				`Pulumi.prod-fr.yaml:2:22: config.kpax-cloud:region: must be "fr", the region of stack prod-fr (got "uk")`,
				`Pulumi.prod-fr.yaml:3:26: config.azure-native:location: must be "francecentral", region fr's location in regions/fr.yaml (got "uksouth")`,
				`Pulumi.prod-fr.yaml:5:21: config.kpax-cloud:stamp: must be 1, the stamp of stack prod-fr (got "3")`,
			},
		},
		{
			name: "a stack of no region",
			files: map[string]string{
				"Pulumi.dev.yaml":     stackFile("fr", "francecentral", subFR),
				"Pulumi.prod-de.yaml": stackFile("de", "germanywestcentral", subUK),
			},
			want: []string{
				`Pulumi.dev.yaml:1:1: stack "dev" is not named prod-<region> or prod-<region>-<stamp>`,
				`Pulumi.prod-de.yaml:1:1: stack prod-de deploys region "de", which has no region file regions/de.yaml`,
			},
		},
		{
			name: "rollout: missing with two stacks",
			files: map[string]string{
				"Pulumi.prod-fr.yaml": stackFile("fr", "francecentral", subFR),
				"Pulumi.prod-uk.yaml": stackFile("uk", "uksouth", subUK),
				RolloutFile:           removed,
			},
			want: []string{`rollout.yaml: is missing: it lists every stack in the order the deploy workflow takes them, the canary first`},
		},
		{
			name: "rollout: a stack left out, one twice, one unknown, an unknown field",
			files: map[string]string{
				"Pulumi.prod-fr.yaml": stackFile("fr", "francecentral", subFR),
				"Pulumi.prod-uk.yaml": stackFile("uk", "uksouth", subUK),
				RolloutFile:           "order: [prod-fr, prod-fr, prod-de]\ncanary: prod-fr\n",
			},
			want: []string{
				`rollout.yaml:1:8: order: must list every stack, so that no stack's turn is left to chance: add prod-uk`,
				`rollout.yaml:1:18: order.1: lists stack prod-fr twice`,
				`rollout.yaml:1:27: order.2: must be a stack with a file Pulumi.<stack>.yaml: prod-fr, prod-uk (got "prod-de")`,
				`rollout.yaml:2:1: canary: unknown field`,
			},
		},
		{
			name: "config is not a mapping",
			files: map[string]string{
				"Pulumi.prod-fr.yaml": "config: [kpax-cloud:region]\n",
			},
			want: []string{
				`Pulumi.prod-fr.yaml:1:1: config: must be a mapping of keys`,
				`Pulumi.prod-fr.yaml:1:1: config.azure-native:location: must be "francecentral"`,
				`Pulumi.prod-fr.yaml:1:1: config.azure-native:subscriptionId: is required`,
				`Pulumi.prod-fr.yaml:1:1: config.kpax-cloud:region: must be "fr"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"regions/fr.yaml": baseRegion, "regions/uk.yaml": ukRegion}
			// Unless the case is about it, the rollout lists the case's
			// stacks.
			var order []string
			for k, v := range tt.files {
				files[k] = v
				if strings.HasPrefix(k, "Pulumi.") {
					order = append(order, strings.TrimSuffix(strings.TrimPrefix(k, "Pulumi."), ".yaml"))
				}
			}
			if _, ok := files[RolloutFile]; !ok && len(order) > 0 {
				sort.Strings(order)
				files[RolloutFile] = "order: [" + strings.Join(order, ", ") + "]\n"
			}
			_, err := LoadProject(writeProject(t, files))
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("diagnostic %d:\ngot  %s\nwant %s...", i, got[i], w)
				}
			}
		})
	}
}

func TestRolloutWaves(t *testing.T) {
	r := &Rollout{Order: []string{"prod-za", "prod-ca", "prod-fr", "prod-us"}}
	for _, tc := range []struct {
		touched      []string
		canary, rest []string
	}{
		{nil, []string{}, []string{}},
		{[]string{"prod-us"}, []string{"prod-us"}, []string{}},
		{[]string{"prod-us", "prod-fr", "prod-za"}, []string{"prod-za"}, []string{"prod-fr", "prod-us"}},
		{[]string{"prod-us", "prod-fr"}, []string{"prod-fr"}, []string{"prod-us"}},
		// Not in the order (validation refuses it): last.
		{[]string{"prod-xx", "prod-ca"}, []string{"prod-ca"}, []string{"prod-xx"}},
	} {
		canary, rest := r.Waves(tc.touched)
		if !reflect.DeepEqual(canary, tc.canary) || !reflect.DeepEqual(rest, tc.rest) {
			t.Errorf("Waves(%v) = %v, %v; want %v, %v", tc.touched, canary, rest, tc.canary, tc.rest)
		}
	}
}
