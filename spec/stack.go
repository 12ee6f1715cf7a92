// The stack files Pulumi.<stack>.yaml: which region, stamp, location and
// Azure subscription each stack deploys to, checked against the region files
// so that a subscription is chosen in code review, not by a CI variable.

package spec

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The stack configuration keys this project reads or requires.
const (
	StackKeyRegion          = "kpax-cloud:region"
	StackKeyStamp           = "kpax-cloud:stamp"
	StackKeyDNSSubscription = "kpax-cloud:dnsSubscriptionId"
	StackKeyLocation        = "azure-native:location"
	// StackKeySubscription is the azure-native provider's subscription. The
	// provider prefers it to ARM_SUBSCRIPTION_ID, so the file, reviewed in
	// the pull request, decides where a stack deploys, whatever identity
	// or environment variable the workflow runs with.
	StackKeySubscription = "azure-native:subscriptionId"
)

// Stack is one Pulumi.<stack>.yaml: its name and the plain string values of
// its config, with the position of each key.
type Stack struct {
	Name   string
	Config map[string]string
	Source Source
}

// Subscription is the Azure subscription the stack deploys to ("" for a
// stack without a file).
func (s *Stack) Subscription() string {
	if s == nil {
		return ""
	}
	return s.Config[StackKeySubscription]
}

// Stack returns the stack of that name, or nil.
func (p *Project) Stack(name string) *Stack {
	for _, s := range p.Stacks {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// loadStacks reads every Pulumi.<stack>.yaml under root; checkStacks then
// holds them against the regions and each other.
func loadStacks(root string) ([]*Stack, Diagnostics) {
	files, err := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	if err != nil {
		return nil, Diagnostics{{File: ".", Message: err.Error()}}
	}
	sort.Strings(files)
	var stacks []*Stack
	var diags Diagnostics
	for _, f := range files {
		rel := filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			diags = append(diags, Diagnostic{File: rel, Message: err.Error()})
			continue
		}
		s, d := parseStack(rel, data)
		diags = append(diags, d...)
		if s != nil {
			stacks = append(stacks, s)
		}
	}
	return stacks, diags
}

// parseStack reads the config of one stack file. Only the keys are located
// here: the Pulumi SDK's own loader (program.StackConfig) checks the rest of
// the file's shape, as the CLI does.
func parseStack(file string, data []byte) (*Stack, Diagnostics) {
	top, diags := parseYAML(file, data)
	if top == nil {
		return nil, diags
	}
	s := &Stack{
		Name:   strings.TrimSuffix(strings.TrimPrefix(file, "Pulumi."), ".yaml"),
		Config: map[string]string{},
		Source: Source{File: file, Top: Pos{top.Line, top.Column}},
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "config" {
			continue
		}
		cfg := top.Content[i+1]
		s.Source.set("config", Pos{top.Content[i].Line, top.Content[i].Column})
		if cfg.Kind != yaml.MappingNode {
			diags = append(diags, s.Source.At("config", "must be a mapping of keys like %q (got %s)", StackKeyRegion+": fr", describe(cfg)))
			continue
		}
		for j := 0; j+1 < len(cfg.Content); j += 2 {
			k, v := cfg.Content[j], cfg.Content[j+1]
			s.Source.set("config."+k.Value, valuePos(k, v))
			if v.Kind == yaml.ScalarNode {
				s.Config[k.Value] = v.Value
			}
		}
	}
	return s, diags
}

// checkStacks holds every stack to its name, its region and its
// subscription, and the stacks to each other: one region per subscription,
// unless both region files say they share it.
func checkStacks(stacks []*Stack, regions map[string]*Region) Diagnostics {
	var diags Diagnostics
	at := func(s *Stack, key, format string, args ...any) {
		diags = append(diags, s.Source.At("config."+key, format, args...))
	}
	stampOne := map[string]*Stack{}
	bySubscription := map[string][]*Stack{}
	for _, s := range stacks {
		region, stamp, ok := ParseStampStackName(s.Name)
		if !ok {
			diags = append(diags, s.Source.At("", "stack %q is not named prod-<region> or prod-<region>-<stamp>", s.Name))
			continue
		}
		if got := s.Config[StackKeyRegion]; got != region {
			at(s, StackKeyRegion, "must be %q, the region of stack %s (got %q)", region, s.Name, got)
		}
		if got, want := s.Config[StackKeyStamp], strconv.Itoa(stamp); (stamp == 1 && got != "" && got != want) || (stamp > 1 && got != want) {
			at(s, StackKeyStamp, "must be %s, the stamp of stack %s (got %q)", want, s.Name, got)
		}
		r := regions[region]
		if r == nil {
			diags = append(diags, s.Source.At("", "stack %s deploys region %q, which has no region file regions/%s.yaml", s.Name, region, region))
			continue
		}
		if stamp > r.Stamps {
			diags = append(diags, s.Source.At("", "stack %s deploys stamp %d, but %s declares stamps: %d", s.Name, stamp, r.Source.File, r.Stamps))
		}
		if got := s.Config[StackKeyLocation]; got != r.Location {
			at(s, StackKeyLocation, "must be %q, region %s's location in %s (got %q)", r.Location, r.Name, r.Source.File, got)
		}
		sub := s.Subscription()
		switch {
		case sub == "":
			at(s, StackKeySubscription, "is required: the Azure subscription this stack deploys to, as a GUID. It is reviewed here, in the stack file, rather than taken from the CI environment (README, \"A subscription per stack\")")
			continue
		case !guidRe.MatchString(sub):
			at(s, StackKeySubscription, "must be a subscription ID, a GUID like 0b7e2c4a-5d1f-4e8b-9c3a-7f2d1e6b4a90 (got %q)", sub)
			continue
		}
		bySubscription[strings.ToLower(sub)] = append(bySubscription[strings.ToLower(sub)], s)
		if stamp == 1 {
			stampOne[region] = s
		}
	}
	for _, s := range stacks {
		region, stamp, ok := ParseStampStackName(s.Name)
		first := stampOne[region]
		if !ok || stamp == 1 || first == nil || s.Subscription() == "" {
			continue
		}
		// A later stamp writes its tenants' records into stamp 1's DNS
		// zone: in a subscription of its own, through a provider for stamp
		// 1's.
		dns := s.Config[StackKeyDNSSubscription]
		switch own := !strings.EqualFold(s.Subscription(), first.Subscription()); {
		case own && !strings.EqualFold(dns, first.Subscription()):
			at(s, StackKeyDNSSubscription, "must be %s, the subscription of %s, which holds region %s's DNS zone: this stamp deploys to a subscription of its own (got %q)", first.Subscription(), first.Name, region, dns)
		case !own && dns != "" && !strings.EqualFold(dns, first.Subscription()):
			at(s, StackKeyDNSSubscription, "must be empty: this stamp shares %s's subscription, which holds the DNS zone (got %q)", first.Name, dns)
		}
	}
	for _, sub := range slices.Sorted(maps.Keys(bySubscription)) {
		group := bySubscription[sub]
		for i, a := range group {
			for _, b := range group[i+1:] {
				ra, _, _ := ParseStampStackName(a.Name)
				rb, _, _ := ParseStampStackName(b.Name)
				if ra == rb || sharesSubscription(regions[ra], rb) && sharesSubscription(regions[rb], ra) {
					continue
				}
				at(b, StackKeySubscription, "is also the subscription of %s (region %s): each region deploys to a subscription of its own, so that a stack's identity, quotas and guardrails reach its region only. To share it on purpose, list each region in the other's sharesSubscriptionWith (regions/%s.yaml and regions/%s.yaml)", a.Name, ra, ra, rb)
			}
		}
	}
	return diags
}

// sharesSubscription reports whether region r declares that it shares its
// subscription with region other.
func sharesSubscription(r *Region, other string) bool {
	if r == nil {
		return false
	}
	for _, o := range r.SharesSubscriptionWith {
		if o == other {
			return true
		}
	}
	return false
}
