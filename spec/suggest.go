// "Did you mean ...?" for unknown field names and values.

package spec

import (
	"strings"
	"unicode/utf8"
)

// suggest returns the candidate closest to s when it is a likely typo:
// equal ignoring case, or within two edits (one for short names, where two
// edits can turn anything into anything).
func suggest(s string, candidates []string) string {
	best, bestDist := "", min(2, utf8.RuneCountInString(s)/2)+1
	for _, c := range candidates {
		if strings.EqualFold(s, c) {
			return c
		}
		if dist := levenshtein(strings.ToLower(s), strings.ToLower(c)); dist < bestDist {
			best, bestDist = c, dist
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Suggest is suggest for the CLI's own unknown names (a tenant on the
// command line).
func Suggest(s string, candidates []string) string { return suggest(s, candidates) }
