// Validation of a region's announced interventions (Region.Interventions):
// each window's instants, length and ticket, at its field path. Whether its
// tenant exists is checked with the region's tenants (project.go).

package spec

import (
	"regexp"
	"strings"
	"time"
)

// Intervention limits.
const (
	// MaxInterventionHours bounds one window: an announcement covers one
	// intervention, not a standing permission; a longer job is announced
	// again.
	MaxInterventionHours = 12
	// maxInterventions bounds the windows of a region: each one is a clause
	// of the alert rule's query, and past ones are pruned from the file.
	maxInterventions = 50
)

var ticketRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9#._:/-]{0,63}$`)

// interventions checks every window of a region file.
func (c *checker) interventions(path string, list []Intervention) {
	if len(list) > maxInterventions {
		c.add(path, "must list at most %d windows (got %d); remove the past ones", maxInterventions, len(list))
	}
	for i, iv := range list {
		p := joinPath(path, itoa(i))
		from, okFrom := c.utcInstant(joinPath(p, "from"), iv.From)
		to, okTo := c.utcInstant(joinPath(p, "to"), iv.To)
		if okFrom && okTo {
			switch d := to.Sub(from); {
			case d <= 0:
				c.add(joinPath(p, "to"), "must be after from (%s), got %s", iv.From, iv.To)
			case d > MaxInterventionHours*time.Hour:
				c.add(joinPath(p, "to"), "must be at most %dh after from: announce a longer job in several windows (got %s)", MaxInterventionHours, d)
			}
		}
		if c.required(joinPath(p, "ticket"), iv.Ticket) {
			c.match(joinPath(p, "ticket"), iv.Ticket, ticketRe, "a change or incident reference of 1-64 letters, digits and #._:/-, like CHG-1234")
		}
	}
}

// utcInstant parses an RFC 3339 instant written in UTC ("Z"), so that
// the file reads the same as the alert and the workspace's TimeGenerated.
func (c *checker) utcInstant(path, v string) (time.Time, bool) {
	if !c.required(path, v) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil || !strings.HasSuffix(v, "Z") {
		c.add(path, "must be a UTC instant in RFC 3339, like 2026-03-02T08:00:00Z (got %q)", v)
		return time.Time{}, false
	}
	return t, true
}
