// Package simazure is a simulated Azure for the tests that run the program on
// the real Pulumi engine. Its provider plugins (azure-native and random, one
// binary: cmd/pulumi-resource-sim) keep a cloud's state in a directory, answer
// with the ARM IDs and computed outputs Azure gives (plan.AzureState, the same
// shapes as the offline mocks), log every create, update and delete, and
// refuse what Azure refuses: each refusal is a named Rule with the document it
// comes from (rules.go).
//
// The cloud outlives the plugin processes, as Azure outlives a `pulumi up`:
// every engine run starts new plugins over the same directory.
package simazure

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// EnvCloud names the environment variable that points the plugins at their
// cloud's directory. The engine passes its environment on to its plugins.
const EnvCloud = "KPAX_SIM_CLOUD"

// epoch is the simulated clock's start: a fixed date, so that logs and
// recovery point ages are the same on every run.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Record is one resource as the simulated Azure holds it.
type Record struct {
	// ID is the ARM ID; it is the record's key, compared case-insensitively
	// as ARM does.
	ID string `json:"id"`
	// Type is the unversioned Pulumi type token.
	Type string `json:"type"`
	// URN is the Pulumi URN of the resource that created it ("" for a
	// resource seeded as existing outside the program).
	URN string `json:"urn,omitempty"`
	// Inputs and Outputs are the last accepted inputs and the state
	// returned, as the engine's wire format (secrets kept).
	Inputs  json.RawMessage `json:"inputs,omitempty"`
	Outputs json.RawMessage `json:"outputs,omitempty"`
	// Created is when, on the simulated clock, the resource was made.
	Created time.Time `json:"created"`
	// Backup is the state of a Recovery Services protected item.
	Backup *BackupState `json:"backup,omitempty"`

	plain map[string]any
}

// BackupState is what the vault knows of a protected item: whether it is
// still protected and until when its recovery points are kept.
type BackupState struct {
	// Stopped is true once protection is stopped with the data retained.
	Stopped bool `json:"stopped"`
	// RetainedUntil is when the last recovery point expires, on the
	// simulated clock: the last daily backup plus the policy's retention.
	// A zero time means kept indefinitely.
	RetainedUntil time.Time `json:"retainedUntil"`
}

// Plain returns the record's inputs as JSON-like values, secrets blinded:
// what the rules read.
func (r *Record) Plain() map[string]any {
	if r.plain == nil {
		m, err := decodeProps(r.Inputs)
		if err != nil {
			m = resource.PropertyMap{}
		}
		r.plain = plainMap(m, false)
	}
	return r.plain
}

// String returns the input at a dotted path as a string.
func (r *Record) String(path string) string {
	s, _ := lookup(r.Plain(), path).(string)
	return s
}

// Cloud is the simulated Azure behind a directory: one file per resource,
// the simulated clock and the operation log. Operations of every plugin
// process are serialized by a file lock, as ARM serializes writes to a
// resource.
type Cloud struct {
	dir string
	mu  sync.Mutex
}

// Open returns the cloud in dir, creating it if needed.
func Open(dir string) (*Cloud, error) {
	for _, sub := range []string{"resources", "subscriptions"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	return &Cloud{dir: dir}, nil
}

// AddSubscription makes a subscription exist, reachable by the deploying
// identity. A resource in any other subscription is refused
// (RuleSubscriptionNotFound): a stack that deploys with the wrong
// subscription, or with none, fails as it would in Azure.
func (c *Cloud) AddSubscription(id string) error {
	return os.WriteFile(c.subscriptionPath(id), nil, 0o644)
}

// hasSubscription reports whether the subscription exists.
func (c *Cloud) hasSubscription(id string) bool {
	_, err := os.Stat(c.subscriptionPath(id))
	return err == nil
}

// subscriptionPath is the marker of a subscription, given as its GUID or
// its scope ("/subscriptions/<guid>").
func (c *Cloud) subscriptionPath(id string) string {
	return filepath.Join(c.dir, "subscriptions", strings.ToLower(strings.TrimPrefix(id, "/subscriptions/")))
}

// Subscriptions lists the subscriptions that exist, lower-cased and sorted.
func (c *Cloud) Subscriptions() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(c.dir, "subscriptions"))
	if err != nil {
		return nil, err
	}
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Name()
	}
	return out, nil
}

// Dir is the cloud's directory.
func (c *Cloud) Dir() string { return c.dir }

// locked runs fn holding the cloud's lock, across processes.
func (c *Cloud) locked(fn func() error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := os.OpenFile(filepath.Join(c.dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it too
	return fn()
}

func (c *Cloud) path(id string) string {
	return filepath.Join(c.dir, "resources", idHash(id)+".json")
}

// get reads one record; nil when Azure has no such resource.
func (c *Cloud) get(id string) (*Record, error) {
	data, err := os.ReadFile(c.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("record of %s: %w", id, err)
	}
	return &r, nil
}

func (c *Cloud) put(r *Record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	tmp := c.path(r.ID) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, c.path(r.ID)); err != nil {
		return err
	}
	if r.Type == typePolicyAssignment {
		marker := c.assignmentMarker(r.String("scope"), r.ID)
		if err := os.MkdirAll(filepath.Dir(marker), 0o755); err != nil {
			return err
		}
		return os.WriteFile(marker, []byte(r.ID), 0o644)
	}
	return nil
}

// assignmentMarker is the file that lists a policy assignment under its
// scope, so that the policy rules find the assignments over a resource
// without reading the whole cloud: creating a stack stays linear.
func (c *Cloud) assignmentMarker(scope, id string) string {
	return filepath.Join(c.dir, "assignments", idHash(scope), idHash(id))
}

// assignmentsAt returns the policy assignments whose scope is scope.
func (c *Cloud) assignmentsAt(scope string) ([]*Record, error) {
	files, err := filepath.Glob(filepath.Join(c.dir, "assignments", idHash(scope), "*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []*Record
	for _, f := range files {
		id, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		r, err := c.get(string(id))
		if err != nil {
			return nil, err
		}
		if r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// idHash names a file after an ARM ID, which ARM compares without case.
func idHash(id string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSuffix(id, "/"))))
	return hex.EncodeToString(sum[:16])
}

// all reads every record, sorted by ID.
func (c *Cloud) all() ([]*Record, error) {
	files, err := filepath.Glob(filepath.Join(c.dir, "resources", "*.json"))
	if err != nil {
		return nil, err
	}
	out := make([]*Record, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, &r)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].ID) < strings.ToLower(out[j].ID) })
	return out, nil
}

// remove deletes a record and every resource under it (ARM deletes a
// resource's children, and a resource group's resources, with it).
func (c *Cloud) remove(id string) ([]string, error) {
	all, err := c.all()
	if err != nil {
		return nil, err
	}
	var gone []string
	for _, r := range all {
		if strings.EqualFold(r.ID, id) || isUnder(r.ID, id) {
			if err := os.Remove(c.path(r.ID)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return gone, err
			}
			if r.Type == typePolicyAssignment {
				if err := os.Remove(c.assignmentMarker(r.String("scope"), r.ID)); err != nil && !errors.Is(err, os.ErrNotExist) {
					return gone, err
				}
			}
			gone = append(gone, r.ID)
		}
	}
	return gone, nil
}

// isUnder reports whether id lies under scope in ARM's hierarchy: a child
// resource, an extension resource at the scope, or a resource in a group.
func isUnder(id, scope string) bool {
	id, scope = strings.ToLower(id), strings.ToLower(strings.TrimSuffix(scope, "/"))
	return strings.HasPrefix(id, scope+"/")
}

// Records returns every resource the cloud holds, sorted by ID.
func (c *Cloud) Records() ([]*Record, error) {
	var out []*Record
	err := c.locked(func() error {
		var err error
		out, err = c.all()
		return err
	})
	return out, err
}

// Get returns the resource with an ARM ID, or nil.
func (c *Cloud) Get(id string) (*Record, error) {
	var out *Record
	err := c.locked(func() error {
		var err error
		out, err = c.get(id)
		return err
	})
	return out, err
}

// Seed records a resource that exists outside the program (the region's
// container registry, another subscription's resource group), so that
// references to it resolve as they do in Azure.
func (c *Cloud) Seed(id, typ string, inputs map[string]any) error {
	props := resource.NewPropertyMapFromMap(inputs)
	raw, err := encodeProps(props)
	if err != nil {
		return err
	}
	if sub := subscriptionOf(id); sub != "" {
		if err := c.AddSubscription(sub); err != nil {
			return err
		}
	}
	return c.locked(func() error {
		return c.put(&Record{ID: id, Type: typ, Inputs: raw, Outputs: raw, Created: c.now()})
	})
}

// now is the simulated clock: the epoch plus whatever the tests advanced it
// by. It stands still otherwise, so that a run's log is the same every time.
func (c *Cloud) now() time.Time {
	var offset time.Duration
	if data, err := os.ReadFile(filepath.Join(c.dir, "clock")); err == nil {
		if d, err := time.ParseDuration(strings.TrimSpace(string(data))); err == nil {
			offset = d
		}
	}
	return epoch.Add(offset)
}

// Now is the simulated clock.
func (c *Cloud) Now() time.Time {
	var t time.Time
	_ = c.locked(func() error { t = c.now(); return nil })
	return t
}

// Advance moves the simulated clock forward: days pass, and recovery points
// expire.
func (c *Cloud) Advance(d time.Duration) error {
	return c.locked(func() error {
		next := c.now().Add(d).Sub(epoch)
		return os.WriteFile(filepath.Join(c.dir, "clock"), []byte(next.String()), 0o644)
	})
}

// Op is one entry of the cloud's log: what the cloud was asked to do, and
// whether it did it.
type Op struct {
	Seq  int       `json:"seq,omitempty"`
	At   time.Time `json:"at"`
	Op   string    `json:"op"` // create, update, delete, refuse
	Type string    `json:"type"`
	ID   string    `json:"id"`
	URN  string    `json:"urn,omitempty"`
	// Asked is the operation that was refused (create, update, delete).
	Asked string `json:"asked,omitempty"`
	// Rule and Error say why it was refused.
	Rule  string `json:"rule,omitempty"`
	Error string `json:"error,omitempty"`
}

func (c *Cloud) log(op Op) error {
	op.At = time.Now().UTC()
	data, err := json.Marshal(op)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(c.dir, "log.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(append(data, '\n'))
	return err
}

// Log returns every operation the cloud was asked for, in order.
func (c *Cloud) Log() ([]Op, error) {
	data, err := os.ReadFile(filepath.Join(c.dir, "log.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Op
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		var op Op
		if err := json.Unmarshal([]byte(line), &op); err != nil {
			return nil, fmt.Errorf("log line %d: %w", i+1, err)
		}
		op.Seq = i + 1
		out = append(out, op)
	}
	return out, nil
}

// LogSince returns the operations after the first n.
func (c *Cloud) LogSince(n int) ([]Op, error) {
	all, err := c.Log()
	if err != nil || n >= len(all) {
		return nil, err
	}
	return all[n:], nil
}

func encodeProps(m resource.PropertyMap) (json.RawMessage, error) {
	s, err := plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true})
	if err != nil {
		return nil, err
	}
	return protojson.Marshal(s)
}

func decodeProps(raw json.RawMessage) (resource.PropertyMap, error) {
	if len(raw) == 0 {
		return resource.PropertyMap{}, nil
	}
	var s structpb.Struct
	if err := protojson.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return plugin.UnmarshalProperties(&s, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true})
}
