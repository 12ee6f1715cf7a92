// Rules on tenancy: no tenant refers to another's resources, and every
// resource is tagged.

package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// tenantResourceGroup is the resource group of a tenant: rg-kpax-<region>-<name>.
func tenantResourceGroup(t *spec.Tenant) string {
	return fmt.Sprintf("rg-kpax-%s-%s", t.Region, t.Name)
}

// checkIsolation: no input of a tenant's resources names another tenant's
// resource (by ID) or another tenant's resource group.
func checkIsolation(c *checker) {
	checkOwnEnvironments(c)
	idOwner := map[string]*plan.Resource{} // lower-cased ID -> owning Tenant component
	for r, comp := range c.ownerC {
		if r.Custom && strings.HasPrefix(r.ID, "/") {
			idOwner[strings.ToLower(r.ID)] = comp
		}
	}
	rgOwner := map[string]string{} // resource group -> tenant
	for _, t := range c.proj.Tenants {
		rgOwner[tenantResourceGroup(t)] = t.Name
	}
	for _, r := range c.p.Resources {
		comp := c.ownerC[r]
		if comp == nil || !r.Custom {
			continue
		}
		walk(r.Inputs, "", func(path string, v any) {
			s, ok := v.(string)
			if !ok {
				return
			}
			ls := strings.ToLower(s)
			for _, id := range embeddedIDs(ls) {
				if o := idOwner[id]; o != nil && o != comp {
					c.report(r, tagPath(path), nil, "%s references tenant %s's resource %s", path, o.Name, id)
					return
				}
			}
			for _, rg := range embeddedResourceGroups(ls) {
				if o, ok := rgOwner[rg]; ok && o != comp.Name {
					c.report(r, tagPath(path), nil, "%s names tenant %s's resource group %s", path, o, rg)
					return
				}
			}
		})
	}
}

// tagPath locates an input: a tenant's own tag is written at the same path
// in its file; anything else is the tenant's as a whole.
func tagPath(input string) []string {
	if strings.HasPrefix(input, "tags.") {
		return paths(input, "name")
	}
	return paths("name")
}

// embeddedIDs returns every prefix, cut at a path boundary, of each ARM ID
// inside s ("/subscriptions/..."), so that an ID found as the start of a
// longer one (a child resource) is found too.
func embeddedIDs(s string) []string {
	var out []string
	for from := 0; ; {
		i := strings.Index(s[from:], "/subscriptions/")
		if i < 0 {
			return out
		}
		start := from + i
		end := start + 1
		for end < len(s) && !idTerminator(s[end]) {
			end++
		}
		id := s[start:end]
		for j := len("/subscriptions/"); j <= len(id); j++ {
			if j == len(id) || id[j] == '/' {
				out = append(out, id[:j])
			}
		}
		from = end
	}
}

func idTerminator(b byte) bool {
	return b == ' ' || b == '"' || b == '\'' || b == ';' || b == ',' || b == '\n' || b == '?' || b == '#'
}

// embeddedResourceGroups returns every whole name rg-kpax-... inside s: a
// name ends where the characters of a resource group name end, so
// rg-kpax-fr-acme is not found inside rg-kpax-fr-acme-2.
func embeddedResourceGroups(s string) []string {
	var out []string
	for from := 0; ; {
		i := strings.Index(s[from:], "rg-kpax-")
		if i < 0 {
			return out
		}
		start := from + i
		if start > 0 && nameChar(s[start-1]) {
			from = start + 1
			continue
		}
		end := start
		for end < len(s) && nameChar(s[end]) {
			end++
		}
		out = append(out, s[start:end])
		from = end
	}
}

func nameChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.'
}

// metadataKinds keep their tags in metadata: DNS record sets.
var metadataKinds = map[string]bool{typeRecordSet: true, typePrivateRecord: true}

// checkTags: every Azure resource that takes tags carries managed-by and its
// region, and a tenant's resources also its tenant, tier and runtime.
func checkTags(c *checker) {
	for _, r := range c.custom() {
		k := kind(r.Type)
		key := "tags"
		if metadataKinds[k] {
			key = "metadata"
		}
		if _, has := r.Inputs[key]; !has && !plan.TakesTags(k) && !metadataKinds[k] {
			continue
		}
		tags, _ := r.Get(key).(map[string]any)
		want := map[string]string{"managed-by": "", "region": c.region.Name}
		t := c.owner[r]
		if t != nil {
			want["tenant"] = t.Name
			want["tier"] = string(t.Tier)
			want["runtime"] = string(t.Runtime)
			want["region"] = t.Region
		}
		for _, name := range []string{"managed-by", "region", "tenant", "tier", "runtime"} {
			w, needed := want[name]
			if !needed {
				continue
			}
			got, _ := tags[name].(string)
			switch {
			case got == "":
				c.report(r, paths("tags"), paths("tags"), "%s lacks the tag %s", key, name)
			case w != "" && got != w:
				c.report(r, paths("tags."+name, name, "tags"), paths("tags"), "%s.%s is %q, want %q", key, name, got, w)
			}
		}
	}
}

// checkOwnEnvironments: every container tenant's app runs in an environment
// of its own, on a Dedicated workload profile. Microsoft documents the
// environment as the secure boundary, whose apps share its network
// (learn.microsoft.com/azure/container-apps/environment), and Consumption
// compute as shared; a Dedicated profile runs "on reserved compute
// resources in your own dedicated pool"
// (learn.microsoft.com/azure/container-apps/workload-profiles-overview).
func checkOwnEnvironments(c *checker) {
	users := map[string][]*plan.Resource{} // environment ID -> apps and storages of tenants
	for _, r := range c.custom() {
		comp := c.ownerC[r]
		if comp == nil {
			continue
		}
		var env string
		switch kind(r.Type) {
		case typeContainerApp:
			env = strings.ToLower(r.String("environmentId"))
			e := c.byID[env]
			if e == nil {
				continue
			}
			profile := r.String("workloadProfileName")
			for _, wp := range listOf(e.Get("workloadProfiles")) {
				if wp["name"] == profile && (wp["workloadProfileType"] == "Consumption" || wp["workloadProfileType"] == nil) {
					c.report(r, paths("container"), nil, "app %s runs on the Consumption profile of %s: its compute is shared with other workloads; give the tenant a Dedicated profile of its own", r.Name, e.Name)
				}
			}
			if profile == "" || profile == "Consumption" {
				c.report(r, paths("container"), nil, "app %s names no Dedicated workload profile (%q): Consumption compute is shared", r.Name, profile)
			}
		default:
			continue
		}
		users[env] = append(users[env], r)
	}
	for env, rs := range users {
		owners := map[string]bool{}
		for _, r := range rs {
			owners[c.ownerC[r].Name] = true
		}
		if len(owners) < 2 {
			continue
		}
		names := slices.Sorted(maps.Keys(owners))
		for _, r := range rs {
			c.report(r, paths("container"), nil, "tenants %s share the Container Apps environment %s: apps in one environment share its network and boundary; each tenant needs its own", strings.Join(names, ", "), env[strings.LastIndexByte(env, '/')+1:])
		}
	}
}
