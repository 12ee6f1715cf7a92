// The provider plugins: the engine's resource calls for azure-native (onto the
// simulated ARM of arm.go), for random (local values, as the real random
// provider makes them) and for time (sleeps on the simulated clock).

package simazure

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"strings"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"github.com/kpax/kpax-cloud/plan"
)

// Provider is one plugin instance: the package it serves (azure-native,
// random or time), its version, and for azure-native the cloud and the subscription
// its configuration names.
type Provider struct {
	plugin.UnimplementedProvider

	pkg          string
	version      semver.Version
	cloud        *Cloud
	subscription string
}

// NewProvider serves package pkg at version over cloud. As azure-native
// does, its subscription is the configuration's subscriptionId, else
// ARM_SUBSCRIPTION_ID (Configure).
func NewProvider(pkg string, version semver.Version, cloud *Cloud) *Provider {
	return &Provider{pkg: pkg, version: version, cloud: cloud, subscription: os.Getenv("ARM_SUBSCRIPTION_ID")}
}

// errNoSubscription is what azure-native answers when neither its
// configuration nor the environment names a subscription.
var errNoSubscription = fmt.Errorf("azure-native: no subscription: set azure-native:subscriptionId in the stack's configuration or ARM_SUBSCRIPTION_ID")

// Pkg is the package served.
func (p *Provider) Pkg() tokens.Package { return tokens.Package(p.pkg) }

// Close releases nothing: the cloud is on disk.
func (p *Provider) Close() error { return nil }

// Handshake accepts the engine's protocol.
func (p *Provider) Handshake(context.Context, plugin.ProviderHandshakeRequest) (*plugin.ProviderHandshakeResponse, error) {
	return &plugin.ProviderHandshakeResponse{}, nil
}

// GetPluginInfo reports the version the plugin was installed as.
func (p *Provider) GetPluginInfo(context.Context) (plugin.PluginInfo, error) {
	v := p.version
	return plugin.PluginInfo{Version: &v}, nil
}

// SignalCancellation has nothing to cancel: every call is short.
func (p *Provider) SignalCancellation(context.Context) error { return nil }

// GetMapping has no mappings to offer (they are for converting programs).
func (p *Provider) GetMapping(context.Context, plugin.GetMappingRequest) (plugin.GetMappingResponse, error) {
	return plugin.GetMappingResponse{}, nil
}

// GetMappings likewise.
func (p *Provider) GetMappings(context.Context, plugin.GetMappingsRequest) (plugin.GetMappingsResponse, error) {
	return plugin.GetMappingsResponse{}, nil
}

// CheckConfig accepts the provider's configuration as given.
func (p *Provider) CheckConfig(_ context.Context, req plugin.CheckConfigRequest) (plugin.CheckConfigResponse, error) {
	return plugin.CheckConfigResponse{Properties: req.News}, nil
}

// DiffConfig replaces a provider whose subscription changes: its resources
// live in the old one.
func (p *Provider) DiffConfig(_ context.Context, req plugin.DiffConfigRequest) (plugin.DiffConfigResponse, error) {
	old, cur := req.OldInputs["subscriptionId"], req.NewInputs["subscriptionId"]
	if old.DeepEquals(cur) {
		return plugin.DiffResult{Changes: plugin.DiffNone}, nil
	}
	return plugin.DiffResult{Changes: plugin.DiffSome, ReplaceKeys: []resource.PropertyKey{"subscriptionId"}}, nil
}

// Configure reads the subscription an explicit provider writes to.
func (p *Provider) Configure(_ context.Context, req plugin.ConfigureRequest) (plugin.ConfigureResponse, error) {
	if v, ok := req.Inputs["subscriptionId"]; ok && v.IsString() && v.StringValue() != "" {
		p.subscription = v.StringValue()
	}
	return plugin.ConfigureResponse{}, nil
}

// Check accepts the inputs as given: the program's own validation and the
// rules at create and update time are what the tests exercise.
func (p *Provider) Check(_ context.Context, req plugin.CheckRequest) (plugin.CheckResponse, error) {
	return plugin.CheckResponse{Properties: req.News}, nil
}

// Diff says whether a change updates the resource in place or replaces it:
// every changed input Azure fixes at creation (plan.ReplacesOnChange) makes
// it a replacement, deleted first because its name is fixed. Every input of a
// random resource is fixed at creation.
func (p *Provider) Diff(_ context.Context, req plugin.DiffRequest) (plugin.DiffResponse, error) {
	typ := string(req.Type)
	old, cur := plainMap(req.OldInputs, true), plainMap(req.NewInputs, true)
	changes := plan.DiffInputs(typ, old, cur)
	if len(changes) == 0 {
		return plugin.DiffResult{Changes: plugin.DiffNone}, nil
	}
	res := plugin.DiffResult{Changes: plugin.DiffSome, DetailedDiff: map[string]plugin.PropertyDiff{}}
	changed, replaced := map[resource.PropertyKey]bool{}, map[resource.PropertyKey]bool{}
	for _, c := range changes {
		top := resource.PropertyKey(strings.SplitN(c.Path, ".", 2)[0])
		kind := plugin.DiffUpdate
		switch {
		case c.Old == nil:
			kind = plugin.DiffAdd
		case c.New == nil:
			kind = plugin.DiffDelete
		}
		if c.Replaces || p.pkg == "random" {
			kind = kind.AsReplace()
			replaced[top] = true
		}
		changed[top] = true
		res.DetailedDiff[c.Path] = plugin.PropertyDiff{Kind: kind, InputDiff: true}
	}
	for k := range changed {
		res.ChangedKeys = append(res.ChangedKeys, k)
	}
	for k := range replaced {
		res.ReplaceKeys = append(res.ReplaceKeys, k)
	}
	// azure-native deletes first whenever it replaces a resource it did not
	// name randomly (the program names every one); bridged providers
	// create first.
	res.DeleteBeforeReplace = len(replaced) > 0 && p.pkg == "azure-native"
	return res, nil
}

// Create makes the resource. A preview gets the outputs only Azure knows as
// unknowns.
func (p *Provider) Create(_ context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
	typ := string(req.Type)
	switch p.pkg {
	case "random":
		return p.createRandom(req)
	case "time":
		return p.createSleep(req)
	}
	if req.Preview {
		_, out := plan.AzureState(typ, req.Name, req.Properties)
		for k := range out {
			if _, given := req.Properties[k]; !given {
				out[k] = resource.MakeComputed(resource.NewStringProperty(""))
			}
		}
		return plugin.CreateResponse{Properties: out, Status: resource.StatusOK}, nil
	}
	if p.subscription == "" {
		return plugin.CreateResponse{}, errNoSubscription
	}
	id, out, err := p.cloud.Create(Request{Type: typ, URN: string(req.URN), Name: req.Name, Inputs: req.Properties, Subscription: p.subscription})
	if err != nil {
		return plugin.CreateResponse{Status: resource.StatusUnknown}, err
	}
	trip("create", string(req.URN))
	return plugin.CreateResponse{ID: resource.ID(id), Properties: out, Status: resource.StatusOK}, nil
}

// Update changes the resource in place.
func (p *Provider) Update(_ context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
	switch p.pkg {
	case "random":
		return plugin.UpdateResponse{}, fmt.Errorf("random resources are replaced, never updated")
	case "time":
		// A new duration applies to the next creation: nothing waits now.
		return plugin.UpdateResponse{Properties: req.NewInputs, Status: resource.StatusOK}, nil
	}
	if req.Preview {
		return plugin.UpdateResponse{Properties: req.OldOutputs, Status: resource.StatusOK}, nil
	}
	if p.subscription == "" {
		return plugin.UpdateResponse{}, errNoSubscription
	}
	out, err := p.cloud.Update(Request{Type: string(req.Type), URN: string(req.URN), Name: req.Name, ID: string(req.ID),
		Inputs: req.NewInputs, OldInputs: req.OldInputs, Subscription: p.subscription})
	if err != nil {
		return plugin.UpdateResponse{Status: resource.StatusPartialFailure, Properties: req.OldOutputs}, err
	}
	trip("update", string(req.URN))
	return plugin.UpdateResponse{Properties: out, Status: resource.StatusOK}, nil
}

// Delete removes the resource.
func (p *Provider) Delete(_ context.Context, req plugin.DeleteRequest) (plugin.DeleteResponse, error) {
	if p.pkg == "random" || p.pkg == "time" {
		return plugin.DeleteResponse{Status: resource.StatusOK}, nil
	}
	err := p.cloud.Delete(Request{Type: string(req.Type), URN: string(req.URN), Name: req.Name, ID: string(req.ID), OldInputs: req.Inputs})
	if err != nil {
		return plugin.DeleteResponse{Status: resource.StatusUnknown}, err
	}
	return plugin.DeleteResponse{Status: resource.StatusOK}, nil
}

// Read returns what the cloud holds (a refresh); nothing when it is gone.
func (p *Provider) Read(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
	if p.pkg == "random" || p.pkg == "time" {
		return plugin.ReadResponse{ReadResult: plugin.ReadResult{ID: req.ID, Inputs: req.Inputs, Outputs: req.State}, Status: resource.StatusOK}, nil
	}
	in, out, err := p.cloud.Read(string(req.ID))
	if err != nil {
		return plugin.ReadResponse{}, err
	}
	if out == nil {
		return plugin.ReadResponse{ReadResult: plugin.ReadResult{ID: req.ID}, Status: resource.StatusOK}, nil
	}
	return plugin.ReadResponse{ReadResult: plugin.ReadResult{ID: req.ID, Inputs: in, Outputs: out}, Status: resource.StatusOK}, nil
}

// Invoke answers the functions the program calls.
func (p *Provider) Invoke(_ context.Context, req plugin.InvokeRequest) (plugin.InvokeResponse, error) {
	switch string(req.Tok) {
	case "azure-native:authorization:getClientConfig":
		return plugin.InvokeResponse{Properties: resource.NewPropertyMapFromMap(map[string]any{
			"subscriptionId": p.subscription,
			"tenantId":       plan.MockTenantID,
			"clientId":       "22222222-2222-2222-2222-222222222222",
			"objectId":       "33333333-3333-3333-3333-333333333333",
		})}, nil
	case "azure-native:storage:listStorageAccountKeys":
		// The account's keys: made once, kept with the account.
		return plugin.InvokeResponse{Properties: resource.PropertyMap{
			"keys": resource.NewArrayProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{
				"keyName":     resource.NewStringProperty("key1"),
				"permissions": resource.NewStringProperty("FULL"),
				"value":       resource.MakeSecret(resource.NewStringProperty(stableKey("account", req.Args, "accountName"))),
			})}),
		}}, nil
	case "azure-native:operationalinsights:getSharedKeys":
		return plugin.InvokeResponse{Properties: resource.PropertyMap{
			"primarySharedKey":   resource.MakeSecret(resource.NewStringProperty(stableKey("workspace-primary", req.Args, "workspaceName"))),
			"secondarySharedKey": resource.MakeSecret(resource.NewStringProperty(stableKey("workspace-secondary", req.Args, "workspaceName"))),
		}}, nil
	}
	return plugin.InvokeResponse{}, fmt.Errorf("simulated Azure: no function %s", req.Tok)
}

// stableKey is an access key of the resource named by args[nameKey]:
// derived from its name, so that it stays the same from run to run, as
// Azure's keys do until someone rotates them.
func stableKey(kind string, args resource.PropertyMap, nameKey resource.PropertyKey) string {
	name := ""
	if v, ok := args[nameKey]; ok && v.IsString() {
		name = v.StringValue()
	}
	sum := sha256.Sum256([]byte("simazure/" + kind + "/" + name))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// createRandom makes a random string or password from its inputs, as the
// real random provider does.
func (p *Provider) createRandom(req plugin.CreateRequest) (plugin.CreateResponse, error) {
	out := req.Properties.Copy()
	in := plainMap(req.Properties, true)
	length := 16
	if n, ok := in["length"].(float64); ok {
		length = int(n)
	}
	flag := func(key string) bool {
		v, ok := in[key].(bool)
		return !ok || v
	}
	var classes []string
	if flag("lower") {
		classes = append(classes, "abcdefghijklmnopqrstuvwxyz")
	}
	if flag("upper") {
		classes = append(classes, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	}
	if flag("numeric") {
		classes = append(classes, "0123456789")
	}
	if flag("special") {
		special := "!@#$%&*()-_=+[]{}<>:?"
		if s, ok := in["overrideSpecial"].(string); ok && s != "" {
			special = s
		}
		classes = append(classes, special)
	}
	result := randomFrom(classes, length)
	if req.Preview {
		out["result"] = resource.MakeComputed(resource.NewStringProperty(""))
		return plugin.CreateResponse{Properties: out, Status: resource.StatusOK}, nil
	}
	if strings.HasSuffix(string(req.Type), ":RandomPassword") {
		out["result"] = resource.MakeSecret(resource.NewStringProperty(result))
		out["bcryptHash"] = resource.MakeSecret(resource.NewStringProperty("$2a$10$" + randomHex(26)))
	} else {
		out["result"] = resource.NewStringProperty(result)
	}
	return plugin.CreateResponse{ID: resource.ID("sim-" + randomHex(8)), Properties: out, Status: resource.StatusOK}, nil
}

// randomFrom draws n characters, at least one of each class first.
func randomFrom(classes []string, n int) string {
	if len(classes) == 0 {
		classes = []string{"abcdefghijklmnopqrstuvwxyz"}
	}
	all := strings.Join(classes, "")
	b := make([]byte, 0, n)
	for i := 0; i < n; i++ {
		set := all
		if i < len(classes) {
			set = classes[i]
		}
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			panic(err)
		}
		b = append(b, set[k.Int64()])
	}
	return string(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)[:n]
}

// createSleep waits, on the simulated clock, for a time:index/sleep: its
// createDuration after the role assignments its triggers name were made
// (Cloud.sleepUntil). A preview waits for nothing.
func (p *Provider) createSleep(req plugin.CreateRequest) (plugin.CreateResponse, error) {
	in := plainMap(req.Properties, true)
	if req.Preview {
		return plugin.CreateResponse{Properties: req.Properties, Status: resource.StatusOK}, nil
	}
	d := time.Duration(0)
	if s, ok := in["createDuration"].(string); ok && s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return plugin.CreateResponse{}, fmt.Errorf("time:index/sleep:Sleep: createDuration %q: %w", s, err)
		}
	}
	var ids []string
	if triggers, ok := in["triggers"].(map[string]any); ok {
		for _, v := range triggers {
			if s, ok := v.(string); ok {
				ids = append(ids, s)
			}
		}
	}
	time.Sleep(latency(typeSleep, "create"))
	until, err := p.cloud.sleepUntil(ids, d)
	if err != nil {
		return plugin.CreateResponse{}, err
	}
	return plugin.CreateResponse{ID: resource.ID(until.Format(time.RFC3339)), Properties: req.Properties, Status: resource.StatusOK}, nil
}
