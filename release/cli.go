// The entries of `kpax release promotions`, `gate-inputs` and `gate`, for
// cmd/kpax to wire (flags in README, "Releasing a KPAX version"): they take
// their inputs as arguments and write to the writer they are given.

package release

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ReleasesFile is the release file's path from the project root.
const ReleasesFile = "releases.yaml"

// PromotionsSince are the gates that the change of dir's releases.yaml since
// the git revision base needs (`kpax release promotions --base REF`). A base
// without the file is a new file: every ring after the first is gated.
func PromotionsSince(dir, base string) ([]Check, error) {
	head, err := os.ReadFile(filepath.Join(dir, ReleasesFile))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("git", "show", base+":"+ReleasesFile)
	cmd.Dir = dir
	old, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && strings.Contains(string(ee.Stderr), "exists on disk, but not in") {
			old = nil
		} else {
			return nil, fmt.Errorf("git show %s:%s: %v", base, ReleasesFile, err)
		}
	}
	return Promotions(old, head)
}

// WriteInputs writes one stack's inputs as JSON (`kpax release gate-inputs
// --stack S --ring R --image I --soak D`, after Collect).
func WriteInputs(w io.Writer, in Inputs) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(in)
}

// RunGate gates ring over the inputs files that pattern matches, one per
// stack (`kpax release gate --ring R --soak D --inputs GLOB [--at T]
// [--format text|json]`), writes the answer and returns it: the command
// exits non-zero when it does not pass. No file is an error, not a pass.
func RunGate(w io.Writer, ring string, soak time.Duration, now time.Time, pattern, format string) (GateResult, error) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		return GateResult{}, err
	}
	if len(files) == 0 {
		return GateResult{}, fmt.Errorf("no gate inputs match %s", pattern)
	}
	sort.Strings(files)
	var inputs []Inputs
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return GateResult{}, err
		}
		var in Inputs
		if err := json.Unmarshal(data, &in); err != nil {
			return GateResult{}, fmt.Errorf("%s: %w", f, err)
		}
		inputs = append(inputs, in)
	}
	g, err := Merge(ring, soak, now, inputs)
	if err != nil {
		return GateResult{}, err
	}
	res := Gate(g)
	switch format {
	case "", "text":
		_, err = io.WriteString(w, res.Text())
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	default:
		err = fmt.Errorf("format %q: text or json", format)
	}
	return res, err
}
