// The ignore-list: known azure-native refresh noise, embedded from
// ignore.yaml.

package drift

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kpax/kpax-cloud/plan"
)

//go:embed ignore.yaml
var ignoreYAML []byte

// IgnoreList is ignore.yaml.
type IgnoreList struct {
	// Provider is the azure-native SDK the entries were checked against.
	Provider string `yaml:"provider"`
	Rules    []Rule `yaml:"rules"`
}

// Rule sets aside one known noisy property of a type.
type Rule struct {
	Type  string `yaml:"type"`
	Path  string `yaml:"path"`
	Issue string `yaml:"issue"`
	Why   string `yaml:"why"`
}

// issueRe is an upstream issue of the provider (or the engine).
var issueRe = regexp.MustCompile(`^https://github\.com/pulumi/pulumi(-azure-native)?/issues/[0-9]+$`)

// LoadIgnoreList parses the embedded ignore-list, refusing an entry without
// an upstream issue or a reason.
func LoadIgnoreList() (*IgnoreList, error) { return parseIgnoreList(ignoreYAML) }

func parseIgnoreList(data []byte) (*IgnoreList, error) {
	var l IgnoreList
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("drift/ignore.yaml: %w", err)
	}
	var problems []string
	for i, r := range l.Rules {
		if !strings.HasPrefix(r.Type, "azure-native:") {
			problems = append(problems, fmt.Sprintf("rules.%d.type: must be an azure-native type token (got %q)", i, r.Type))
		}
		if !issueRe.MatchString(r.Issue) {
			problems = append(problems, fmt.Sprintf("rules.%d.issue: must be the upstream issue, https://github.com/pulumi/pulumi-azure-native/issues/<n> (got %q)", i, r.Issue))
		}
		if strings.TrimSpace(r.Why) == "" {
			problems = append(problems, fmt.Sprintf("rules.%d.why: must say what the entry hides and why that is safe", i))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("drift/ignore.yaml: %s", strings.Join(problems, "; "))
	}
	return &l, nil
}

// Match is the rule that covers a difference at path of a resource of type
// typ (versioned or not), or nil. A rule's path covers itself and what is
// inside it ("storageProfile.osDisk" covers "storageProfile.osDisk.caching"
// and "storageProfile.osDisk[0]"); "" covers every property.
func Match(rules []Rule, typ, path string) *Rule {
	typ = plan.Unversioned(typ)
	for i := range rules {
		r := &rules[i]
		if plan.Unversioned(r.Type) != typ {
			continue
		}
		if r.Path == "" || path == r.Path || strings.HasPrefix(path, r.Path+".") || strings.HasPrefix(path, r.Path+"[") {
			return r
		}
	}
	return nil
}
