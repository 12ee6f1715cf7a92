// Shared validation helpers: the per-file checker and the field rules region
// and tenant files both use.

package spec

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checker collects the problems of one file, located through its Source.
type checker struct {
	src   *Source
	diags Diagnostics
}

func (c *checker) add(path, format string, args ...any) {
	c.diags = append(c.diags, c.src.At(path, format, args...))
}

// required reports a missing string field and says whether it is present.
func (c *checker) required(path, v string) bool {
	if v == "" {
		if c.src.Has(path) {
			c.add(path, "must not be empty")
		} else {
			c.add(path, "is required")
		}
		return false
	}
	return true
}

// intRange reports v outside min..max. A required field that was never
// written is reported as missing rather than as a zero.
func (c *checker) intRange(path string, v, lo, hi int) {
	switch {
	case v < lo:
		c.add(path, "must be at least %d (got %d)", lo, v)
	case v > hi:
		c.add(path, "must be at most %d (got %d)", hi, v)
	}
}

func (c *checker) oneOf(path, v string, allowed []string) {
	if !c.required(path, v) {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.add(path, "must be one of %s (got %q)", strings.Join(allowed, ", "), v)
}

func (c *checker) match(path, v string, re *regexp.Regexp, what string) {
	if c.required(path, v) && !re.MatchString(v) {
		c.add(path, "must be %s (got %q)", what, v)
	}
}

func (c *checker) maxLen(path, v string, n int) {
	if l := utf8.RuneCountInString(v); l > n {
		c.add(path, "must be at most %d characters (got %d)", n, l)
	}
}

// dailyAtRe is HH:MM on the hour or half hour: Azure Backup runs
// schedules only at those times
// (https://learn.microsoft.com/azure/backup/backup-azure-vms-first-look-arm).
var dailyAtRe = regexp.MustCompile(`^([01][0-9]|2[0-3]):(00|30)$`)

var timeRe = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

const (
	// FileShareSnapshotDays is how long a tenant's share keeps its own
	// daily snapshots beside the vault copies, for restores of single files
	// within a week (Azure allows 1-30 days).
	FileShareSnapshotDays = 7
	// minBackupRetentionDays: on the vault-standard tier, the vault must
	// keep recovery points longer than the share keeps its snapshots
	// (azurerm's backup_policy_file_share: "snapshot_retention_in_days
	// must be less than the retention_daily count" when backup_tier is
	// vault-standard; the service refuses the policy with
	// BMSUserErrorInvalidPolicyInput). No Microsoft page states the rule;
	// the simulated Azure holds it (simazure RuleVaultTierRetention).
	minBackupRetentionDays = FileShareSnapshotDays + 1
	// maxBackupRetentionDays is Azure Backup's maximum daily retention of
	// file shares (https://learn.microsoft.com/azure/backup/azure-file-share-support-matrix).
	maxBackupRetentionDays = 200
)

// backup checks a daily schedule (tenant or region default).
func (c *checker) backup(path string, b BackupSpec) {
	c.match(path+".dailyAt", b.DailyAt, dailyAtRe, `a UTC time HH:MM on the hour or half hour, like "01:00" or "01:30"`)
	c.intRange(path+".retentionDays", b.RetentionDays, minBackupRetentionDays, maxBackupRetentionDays)
}

const (
	// maxTags leaves room under Azure's 50 tags per resource for the tags
	// the program adds (https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources).
	maxTags = 40
	// maxTagKey and maxTagValue are Azure's limits on tag names and values.
	maxTagKey   = 512
	maxTagValue = 256
)

// reservedTags are set by the program on every resource; a file may not
// override them.
var reservedTags = []string{"tenant", "region", "tier", "runtime", "managed-by", "component"}

func (c *checker) tags(path string, tags map[string]string) {
	if len(tags) > maxTags {
		c.add(path, "must have at most %d tags (got %d)", maxTags, len(tags))
	}
	for k, v := range tags {
		p := path + "." + k
		switch {
		case k == "":
			c.add(path, "tag names must not be empty")
		case utf8.RuneCountInString(k) > maxTagKey:
			c.add(p, "tag name must be at most %d characters (got %d)", maxTagKey, utf8.RuneCountInString(k))
		case strings.ContainsAny(k, `<>%&\?/`):
			c.add(p, `tag name must not contain any of < > %% & \ ? /`)
		}
		for _, r := range reservedTags {
			if strings.EqualFold(k, r) {
				c.add(p, "is forbidden: the tag %q is set by kpax-cloud (reserved: %s)", k, strings.Join(reservedTags, ", "))
			}
		}
		if utf8.RuneCountInString(v) > maxTagValue {
			c.add(p, "tag value must be at most %d characters (got %d)", maxTagValue, utf8.RuneCountInString(v))
		}
	}
}

func quoteAll[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func fileStem(file string) string {
	base := file[strings.LastIndexByte(file, '/')+1:]
	return strings.TrimSuffix(base, ".yaml")
}

func itoa(i int) string { return strconv.Itoa(i) }
