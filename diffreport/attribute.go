// Which tenant an entry of a shared resource belongs to, and which tenants'
// changes are the same but for their names.

package diffreport

import (
	"encoding/json"
	"sort"
	"strings"
)

// Owner is the tenant an entry of a shared resource belongs to: the
// components name a tenant's entries with its name as hyphen-separated
// words ("pool-acme", "tenant-bistro-lyon"). The longest tenant name
// that matches wins, so bistro-lyon's entry is not a tenant lyon's. An
// environment variable's name spells the words upper-case with '_'
// ("KPAX_GRANT_BISTRO_LYON"). An entry that names no tenant is the
// platform's ("").
func Owner(tenants []string, entry string) string {
	if entry == "" {
		return ""
	}
	words := "-" + strings.ToLower(strings.ReplaceAll(entry, "_", "-")) + "-"
	best := ""
	for _, t := range tenants {
		if len(t) > len(best) && strings.Contains(words, "-"+t+"-") {
			best = t
		}
	}
	return best
}

// group merges the tenant sections of a stack whose changes are the same
// once each tenant's name is replaced by Placeholder: a fleet-wide change
// reads once, with the list of tenants it applies to.
func group(sections []Section) []Section {
	var out []Section
	index := map[string]int{}
	for _, s := range sections {
		if len(s.Tenants) != 1 {
			out = append(out, s)
			continue
		}
		generic := genericChanges(s.Changes, s.Tenants[0])
		b, _ := json.Marshal(generic)
		key := string(b)
		if i, ok := index[key]; ok {
			out[i].Tenants = append(out[i].Tenants, s.Tenants[0])
			out[i].Changes = generic
			continue
		}
		index[key] = len(out)
		out = append(out, s)
	}
	for i := range out {
		sort.Strings(out[i].Tenants)
	}
	return out
}

// genericChanges are a tenant's changes with its name replaced by
// Placeholder.
func genericChanges(changes []Change, tenant string) []Change {
	b, err := json.Marshal(changes)
	if err != nil {
		return changes
	}
	var out []Change
	if err := json.Unmarshal([]byte(replaceWord(string(b), tenant, Placeholder)), &out); err != nil {
		return changes
	}
	return out
}

// replaceWord replaces word in s where it is not part of a longer run of
// letters and digits: "acme" in "pool-acme" and "acme.kpax.example", not in
// "acme2".
func replaceWord(s, word, with string) string {
	if word == "" {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, word)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before := i == 0 || !isWordByte(s[i-1])
		after := i+len(word) == len(s) || !isWordByte(s[i+len(word)])
		b.WriteString(s[:i])
		if before && after {
			b.WriteString(with)
		} else {
			b.WriteString(word)
		}
		s = s[i+len(word):]
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
