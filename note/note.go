// Package note writes a customer's security note: what the hosting of one
// KPAX space is, computed from the stack's plan, the tenant's YAML and the
// kpax check results. Every statement is a fact read from the plan, worded
// by a catalog of sentences per language (lang/*.yaml); where the plan shows
// a fact weaker than the KPAX commitments, the note says so as a gap.
package note

// Promise is one of the KPAX commitments to every customer (the generic
// note's list, and the product's isolation and controls).
type Promise string

// The commitments, in the order the note lists them.
const (
	PromiseDedicated Promise = "dedicated"
	PromiseURL       Promise = "url"
	PromiseLocation  Promise = "location"
	PromiseZones     Promise = "zones"
	PromiseAccess    Promise = "access"
	PromiseIsolation Promise = "isolation"
	PromiseBackup    Promise = "backup"
	PromiseControls  Promise = "controls"
)

// Promises lists them in order.
var Promises = []Promise{PromiseDedicated, PromiseURL, PromiseLocation, PromiseZones, PromiseAccess, PromiseIsolation, PromiseBackup, PromiseControls}

// Args are a statement's values: strings, ints, or []string (a list the
// catalog joins in its language).
type Args map[string]any

// Statement is one fact of the note: a catalog sentence and its values.
type Statement struct {
	// Key names the sentence in the catalogs ("zones.storage").
	Key  string
	Args Args
	// Promise is the commitment the fact bears on ("" for none).
	Promise Promise
	// Gap is true when the fact is missing or weaker than the promise.
	Gap bool
	// Items are the statement's list, each a catalog sentence too.
	Items []Statement
}

// Section is one part of the note.
type Section struct {
	Key        string // the catalog's section title
	Statements []Statement
}

// Note is a tenant's security note, before it is worded.
type Note struct {
	Tenant, DisplayName, Stack string
	Commit, CommitDate         string
	Sections                   []Section
}

// Gaps lists the statements that are gaps, in note order.
func (n *Note) Gaps() []Statement {
	var out []Statement
	for _, s := range n.Sections {
		for _, st := range s.Statements {
			if st.Gap {
				out = append(out, st)
			}
		}
	}
	return out
}

// Held reports whether a commitment holds: no gap bears on it, and at least
// one statement shows it.
func (n *Note) Held(p Promise) bool {
	shown := false
	for _, s := range n.Sections {
		for _, st := range s.Statements {
			if st.Promise != p {
				continue
			}
			if st.Gap {
				return false
			}
			shown = true
		}
	}
	return shown
}
