// kpax note: a tenant's security note, computed from its stack's plan.

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/note"
	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/rules"
	"github.com/kpax/kpax-cloud/spec"
)

// exitGaps: a note shows a fact weaker than the KPAX commitments.
const exitGaps = 6

// planStack plans a stack; tests replace it to mutate a plan.
var planStack = program.Plan

func newNoteCmd() *cobra.Command {
	var (
		dir, tenant, stack, langs, format, out, commit, date string
		all                                                  bool
	)
	cmd := &cobra.Command{
		Use:   "note",
		Short: "Write a tenant's security note (Markdown or HTML, en or fr), computed from its stack's plan",
		Long: "note plans the tenant's stack offline, like `kpax plan`, runs the platform and published rules, and\n" +
			"writes the customer's security note: architecture, location, access, isolation, guardrails, backups,\n" +
			"each statement read from the plan and worded by note/lang/<lang>.yaml.\n" +
			"--tenant NAME writes one note to stdout (--format md|html), or to --out DIR; --all --out DIR writes\n" +
			"<tenant>.<lang>.md and .html for every tenant (of --stack S only, when given).\n" +
			"Exit 0 when every note holds every commitment, 6 when a note shows a gap (written, and saying so),\n" +
			"1 on an unknown or decommissioned tenant or a failed plan, 2 on usage errors; on 1 or 2 nothing is written.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			usage := func(format string, args ...any) error {
				return &exitError{exitUsage, fmt.Errorf("kpax note: "+format, args...)}
			}
			if all == (tenant != "") {
				return usage("give exactly one of --tenant NAME or --all")
			}
			if all && out == "" {
				return usage("--all writes files: give --out DIR")
			}
			if format != "md" && format != "html" {
				return usage("--format must be md or html (got %q)", format)
			}
			var catalogs []*note.Catalog
			for _, l := range strings.Split(langs, ",") {
				c, err := note.LoadCatalog(strings.TrimSpace(l))
				if err != nil {
					return usage("%v", err)
				}
				catalogs = append(catalogs, c)
			}
			if out == "" && len(catalogs) != 1 {
				return usage("stdout takes one language: give --lang en or fr, or --out DIR")
			}
			proj, err := spec.LoadProject(dir)
			if err != nil {
				var diags spec.Diagnostics
				if errors.As(err, &diags) {
					printDiagnostics(cmd.ErrOrStderr(), diags, "text")
					return &exitError{exitInvalid, fmt.Errorf("kpax note: the project files are invalid (%d error(s)): run kpax validate", len(diags))}
				}
				return &exitError{exitInvalid, err}
			}
			targets, skipped, err := noteTargets(dir, proj, tenant, stack)
			if err != nil {
				return &exitError{exitInvalid, fmt.Errorf("kpax note: %w", err)}
			}
			if commit == "" || date == "" {
				c, d := headRevision(dir)
				if commit == "" {
					commit = c
				}
				if date == "" {
					date = d
				}
			}
			// Every note is built and worded before anything is written:
			// a failure leaves no partial set behind.
			plans := map[string]*plan.Plan{}
			checks := map[string][]rules.Violation{}
			files := map[string][]byte{}
			var gaps []string
			for _, t := range targets {
				p := plans[t.StackOf()]
				if p == nil {
					if p, err = planStack(dir, t.StackOf()); err != nil {
						return &exitError{exitInvalid, fmt.Errorf("kpax note: plan %s: %w", t.StackOf(), err)}
					}
					plans[t.StackOf()] = p
					checks[t.StackOf()] = append([]rules.Violation{}, rules.Check(p, proj, t.Region)...)
				}
				n, err := note.Build(note.Input{Plan: p, Project: proj, Tenant: t.Name, Commit: commit, CommitDate: date, Checks: checks[t.StackOf()]})
				if err != nil {
					return &exitError{exitInvalid, fmt.Errorf("kpax note: %w", err)}
				}
				if g := len(n.Gaps()); g > 0 {
					gaps = append(gaps, fmt.Sprintf("%s (%d)", t.Name, g))
				}
				for _, c := range catalogs {
					for _, f := range []string{"md", "html"} {
						if out == "" && f != format {
							continue
						}
						render := note.Markdown
						if f == "html" {
							render = note.HTML
						}
						b, err := render(n, c)
						if err != nil {
							return &exitError{exitInvalid, fmt.Errorf("kpax note: %s: %w", t.Name, err)}
						}
						files[fmt.Sprintf("%s.%s.%s", t.Name, c.Lang, f)] = b
					}
				}
			}
			if out == "" {
				for _, b := range files {
					cmd.OutOrStdout().Write(b)
				}
			} else if err := writeAll(out, files); err != nil {
				return &exitError{exitInvalid, fmt.Errorf("kpax note: %w", err)}
			}
			for _, s := range skipped {
				fmt.Fprintln(cmd.ErrOrStderr(), s)
			}
			if len(gaps) > 0 {
				return &exitError{exitGaps, fmt.Errorf("kpax note: the notes of %s show gaps against the KPAX commitments (marked in each note)", strings.Join(gaps, ", "))}
			}
			if out != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "kpax note: %d file(s) in %s\n", len(files), out)
			}
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&tenant, "tenant", "", "the tenant whose note to write")
	cmd.Flags().BoolVar(&all, "all", false, "write the note of every tenant (with --out)")
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "with --all: only the tenants of this stack")
	cmd.Flags().StringVar(&langs, "lang", "en", "language(s), comma-separated: "+strings.Join(note.Languages(), ", "))
	cmd.Flags().StringVar(&format, "format", "md", "format on stdout: md or html")
	cmd.Flags().StringVar(&out, "out", "", "write <tenant>.<lang>.md and .html into this folder")
	cmd.Flags().StringVar(&commit, "commit", "", "the commit to name (default: the repository's HEAD)")
	cmd.Flags().StringVar(&date, "date", "", "that commit's date (default: HEAD's commit date)")
	return cmd
}

// noteTargets are the tenants to write: one by name, or every tenant (of a
// stack). A decommissioned tenant has no note: by name it is an error, in
// --all a line on stderr.
func noteTargets(dir string, proj *spec.Project, name, stack string) (targets []*spec.Tenant, skipped []string, err error) {
	if stack != "" && name != "" {
		return nil, nil, errors.New("--stack goes with --all")
	}
	if stack != "" {
		stacks, err := program.Stacks(dir)
		if err != nil {
			return nil, nil, err
		}
		if !slices.Contains(stacks, stack) {
			return nil, nil, fmt.Errorf("unknown stack %q: the stacks are %s", stack, strings.Join(stacks, ", "))
		}
	}
	for _, t := range proj.Tenants {
		if name != "" && t.Name != name || stack != "" && t.StackOf() != stack {
			continue
		}
		targets = append(targets, t)
	}
	if name != "" && len(targets) == 0 {
		known := make([]string, 0, len(proj.Tenants))
		for _, t := range proj.Tenants {
			known = append(known, t.Name)
		}
		sort.Strings(known)
		hint := ""
		if s := spec.Suggest(name, known); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		return nil, nil, fmt.Errorf("no tenant %q%s: the tenants are the files under tenants/", name, hint)
	}
	var keep []*spec.Tenant
	for _, t := range targets {
		if t.State == spec.StateDecommissioned && name == "" {
			skipped = append(skipped, fmt.Sprintf("kpax note: %s is decommissioned: no note (kpax note --tenant %s says what is retained)", t.Name, t.Name))
			continue
		}
		keep = append(keep, t)
	}
	return keep, skipped, nil
}

// headRevision is the repository's HEAD commit and its date, or
// "uncommitted" outside a repository.
func headRevision(dir string) (string, string) {
	out, err := git(dir, "log", "-1", "--format=%h %cs")
	if f := strings.Fields(out); err == nil && len(f) == 2 {
		return f[0], f[1]
	}
	return "uncommitted", "unknown date"
}

// writeAll writes every file into dir, each through a temporary name: a
// reader never sees half a note.
func writeAll(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		tmp := filepath.Join(dir, "."+n+".tmp")
		if err := os.WriteFile(tmp, files[n], 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dir, n)); err != nil {
			return err
		}
	}
	return nil
}
