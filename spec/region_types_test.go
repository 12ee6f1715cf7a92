package spec

import "testing"

func TestParseStampStackName(t *testing.T) {
	for _, tc := range []struct {
		stack  string
		region string
		stamp  int
		ok     bool
	}{
		{"prod-fr", "fr", 1, true},
		{"prod-fr-2", "fr", 2, true},
		{"prod-fr-12", "fr", 12, true},
		{"prod-fr-1", "fr-1", 1, true}, // stamp 1 is never suffixed
		{"dev", "", 0, false},
		{"prod-", "", 0, false},
	} {
		region, stamp, ok := ParseStampStackName(tc.stack)
		if region != tc.region || stamp != tc.stamp || ok != tc.ok {
			t.Errorf("ParseStampStackName(%q) = %q, %d, %v; want %q, %d, %v", tc.stack, region, stamp, ok, tc.region, tc.stamp, tc.ok)
		}
		if ok && StampStackName(region, stamp) != tc.stack {
			t.Errorf("StampStackName(%q, %d) != %q", region, stamp, tc.stack)
		}
	}
}
