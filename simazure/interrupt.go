// An interruption: a deployment whose engine dies while Azure works, as when
// a CI job is cancelled in the middle of `pulumi up`. Azure finishes what it
// was asked; the engine never hears the answer.

package simazure

import (
	"encoding/json"
	"os"
	"strings"
)

// EnvInterrupt names the environment variable that points the plugins at a
// trap file. While the file exists and has not tripped, the first create or
// update of a resource whose URN ends with the trap's suffix is carried out
// in the cloud, the trap records the engine's process ID (the plugin's
// parent) in <file>.tripped, and the plugin never answers: the test then
// kills the engine.
const EnvInterrupt = "KPAX_SIM_INTERRUPT"

// Trap is what a trap file holds.
type Trap struct {
	// Op is "create" or "update".
	Op string `json:"op"`
	// URNSuffix selects the resource ("::acme-db").
	URNSuffix string `json:"urnSuffix"`
}

// Tripped is what a trap records when it trips.
type Tripped struct {
	// Engine is the process ID of the Pulumi engine that started the
	// plugin; Plugin the plugin's own.
	Engine int    `json:"engine"`
	Plugin int    `json:"plugin"`
	URN    string `json:"urn"`
}

// ArmTrap writes a trap file; the next operation it matches trips it.
func ArmTrap(file string, trap Trap) error {
	data, err := json.Marshal(trap)
	if err != nil {
		return err
	}
	_ = os.Remove(file + ".tripped")
	return os.WriteFile(file, data, 0o644)
}

// trip checks the trap for an operation that the cloud has just carried out,
// and when it matches, records it and blocks forever. The check is one
// failed stat when no trap is armed.
func trip(op, urn string) {
	file := os.Getenv(EnvInterrupt)
	if file == "" {
		return
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return
	}
	var t Trap
	if json.Unmarshal(data, &t) != nil || t.Op != op || !strings.HasSuffix(urn, t.URNSuffix) {
		return
	}
	// Disarm first: the engine run after the interruption must not trip.
	if os.Remove(file) != nil {
		return
	}
	rec, _ := json.Marshal(Tripped{Engine: os.Getppid(), Plugin: os.Getpid(), URN: urn})
	if os.WriteFile(file+".tripped.tmp", rec, 0o644) == nil {
		_ = os.Rename(file+".tripped.tmp", file+".tripped")
	}
	select {}
}
