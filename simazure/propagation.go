// Role assignments take effect after a delay: ARM answers the assignment's
// creation at once, but whoever relies on it is refused until it has
// propagated (learn.microsoft.com/azure/role-based-access-control/troubleshooting:
// changes "can take up to 10 minutes"). The delay runs on the simulated
// clock, which only moves when a test advances it or a time:index/sleep
// waits, so every run is deterministic.

package simazure

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultPropagation is how long a new role assignment takes to be
// enforced, unless a test sets another delay: Learn's bound.
const DefaultPropagation = 10 * time.Minute

// RulePropagation: an operation that needs a role assignment made less than
// the propagation delay ago is refused, as the identity is not yet allowed.
var RulePropagation = Rule{"role-propagation", "InvalidParameterValueInContainerTemplate",
	"https://learn.microsoft.com/azure/role-based-access-control/troubleshooting (role assignment changes can take up to 10 minutes); code and \"Unable to get value using Managed identity\": https://github.com/microsoft/azure-container-apps/issues/722 and #930"}

// SetPropagation sets how long new role assignments take to be enforced in
// this cloud (0: at once).
func (c *Cloud) SetPropagation(d time.Duration) error {
	return os.WriteFile(filepath.Join(c.dir, "propagation"), []byte(d.String()), 0o644)
}

// propagation is the cloud's delay.
func (c *Cloud) propagation() time.Duration {
	data, err := os.ReadFile(filepath.Join(c.dir, "propagation"))
	if errors.Is(err, os.ErrNotExist) {
		return DefaultPropagation
	}
	d, err := time.ParseDuration(strings.TrimSpace(string(data)))
	if err != nil {
		return DefaultPropagation
	}
	return d
}

// grants are the role assignments of a principal, and whether each is in
// effect at the cloud's current time.
type grants struct {
	now   time.Time
	delay time.Duration
	all   []*Record
}

func (c *Cloud) grants(all []*Record) grants {
	return grants{now: c.now(), delay: c.propagation(), all: byType(all, typeRoleAssignment)}
}

// find returns the principal's assignments that match, split into those in
// effect and those still propagating.
func (g grants) find(principal string, match func(ra *Record) bool) (effective, pending []*Record) {
	if principal == "" {
		return nil, nil
	}
	for _, ra := range g.all {
		if !strings.EqualFold(ra.String("principalId"), principal) || !match(ra) {
			continue
		}
		if g.now.Before(ra.Created.Add(g.delay)) {
			pending = append(pending, ra)
		} else {
			effective = append(effective, ra)
		}
	}
	return effective, pending
}

// sleepUntil is where a time:index/sleep that waited d for the grants with
// these IDs ends on the simulated clock: d after the last of them was made
// (d from now if none is known), never before now.
func (c *Cloud) sleepUntil(grantIDs []string, d time.Duration) (time.Time, error) {
	var until time.Time
	err := c.locked(func() error {
		start := c.now()
		var last time.Time
		for _, id := range grantIDs {
			// Triggers that are not resource IDs (a grant's principal)
			// only make the sleep start again when they change.
			if !strings.HasPrefix(id, "/subscriptions/") {
				continue
			}
			r, err := c.get(id)
			if err != nil {
				return err
			}
			if r != nil && r.Created.After(last) {
				last = r.Created
			}
		}
		if !last.IsZero() {
			start = last
		}
		until = start.Add(d)
		if now := c.now(); until.Before(now) {
			until = now
		}
		next := until.Sub(epoch)
		return os.WriteFile(filepath.Join(c.dir, "clock"), []byte(next.String()), 0o644)
	})
	return until, err
}
