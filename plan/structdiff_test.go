package plan

import (
	"strings"
	"testing"
)

func TestStructuralDiff(t *testing.T) {
	listener := func(name, host string) map[string]any { return map[string]any{"name": name, "hostName": host} }
	probe := func(name, path string) map[string]any { return map[string]any{"name": name, "path": path} }
	old := map[string]any{
		"httpListeners": []any{listener("default", "*.uk"), listener("tenant-old", "old.uk")},
		"probes":        []any{probe("tenant-acme", "/")},
		"zones":         []any{"1", "2"},
		"sku":           map[string]any{"name": "WAF_v2", "tier": "WAF_v2"},
	}
	cur := map[string]any{
		"httpListeners": []any{listener("default", "*.uk"), listener("tenant-zzbarnew", "zzbarnew.uk")},
		"probes":        []any{probe("tenant-acme", "/healthz")},
		"zones":         []any{"1", "2", "3"},
		"sku":           map[string]any{"name": "WAF_v2", "tier": "WAF_v2"},
	}
	got := StructuralDiff("azure-native:network:ApplicationGateway", old, cur)
	var lines []string
	for _, e := range got {
		lines = append(lines, e.Kind+" "+e.Path)
	}
	want := []string{
		"delete httpListeners[tenant-old]",
		"add httpListeners[tenant-zzbarnew]",
		"update probes[tenant-acme].path",
		"add zones",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("edits:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range got {
		switch e.Path {
		case "probes[tenant-acme].path":
			if e.Old != "/" || e.New != "/healthz" || e.Entry() != "tenant-acme" {
				t.Errorf("probe edit %+v", e)
			}
		case "zones":
			if e.New != "3" || e.Replaces || e.Effect != EffectRefused || !strings.Contains(e.Reason, "PropertyChangeNotAllowed") {
				t.Errorf("a gateway's zones: %+v (zones are fixed at creation, and the provider sends the change as an update)", e)
			}
		}
	}
}

// A refused change hidden inside a named list entry is still one: a
// subnet's delegation cannot change while the service uses it.
func TestStructuralDiffFindsReplacementsInEntries(t *testing.T) {
	old := map[string]any{"delegations": []any{map[string]any{"name": "apps", "serviceName": "Microsoft.App/environments"}}}
	cur := map[string]any{"delegations": []any{map[string]any{"name": "apps", "serviceName": "Microsoft.Web/serverFarms"}}}
	got := StructuralDiff("azure-native:network:Subnet", old, cur)
	if len(got) != 1 || got[0].Path != "delegations[apps].serviceName" || got[0].Effect != EffectRefused {
		t.Errorf("edits %+v, want one refused edit of delegations[apps].serviceName", got)
	}
}

func TestAroundKeepsTheChange(t *testing.T) {
	long := strings.Repeat("a", 200)
	a, b := Around(long+"OLD"+long, long+"NEW"+long, 60)
	if !strings.Contains(a, "OLD") || !strings.Contains(b, "NEW") || len(a) > 70 || !strings.HasPrefix(a, "…") {
		t.Errorf("Around = %q, %q", a, b)
	}
	if a, b := Around("short", "other", 60); a != `"short"` || b != `"other"` {
		t.Errorf("short values are cut: %q %q", a, b)
	}
}
