// What an operator does to the cloud outside the program (the Azure CLI
// steps of docs/restore.md): the same ARM operations, under the same rules.

package simazure

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// OperatorDelete is what an `az ... delete` asks of ARM: delete the
// resource with this ID, under the same rules as the program's deletes.
func (c *Cloud) OperatorDelete(id string) error {
	rec, err := c.Get(id)
	if err != nil {
		return err
	}
	if rec == nil {
		return fmt.Errorf("ResourceNotFound: %s", id)
	}
	return c.Delete(Request{Type: rec.Type, ID: rec.ID})
}

// OperatorStopProtection is `az backup protection disable` without
// --delete-backup-data on a protected item: no more backups. With
// asPerPolicy (--retain-as-per-policy, protectionState BackupsSuspended,
// which needs an immutable vault) the recovery points then expire on their
// policy's schedule; without (ProtectionStopped) they are kept until deleted.
// Stopping protection is not a deletion: neither a lock nor immutability
// refuses it (learn.microsoft.com/azure/backup/backup-azure-immutable-vault-concept).
func (c *Cloud) OperatorStopProtection(id string, asPerPolicy bool) error {
	err := c.locked(func() error {
		cur, err := c.get(id)
		if err != nil {
			return err
		}
		if cur == nil || cur.Type != typeProtectedItem {
			return fmt.Errorf("ResourceNotFound: no protected item %s", id)
		}
		all, err := c.all()
		if err != nil {
			return err
		}
		vault := itemVault(all, cur)
		in, err := decodeProps(cur.Inputs)
		if err != nil {
			return err
		}
		props := resource.PropertyMap{}
		if v, ok := in["properties"]; ok && v.IsObject() {
			props = v.ObjectValue().Copy()
		}
		days, known := policyRetentionDays(all, cur.String("properties.policyId"))
		state := "ProtectionStopped"
		if asPerPolicy {
			if !immutable(vault) {
				return fmt.Errorf("BMSUserErrorInvalidInput: retaining backups as per policy needs the vault's immutability enabled")
			}
			state = "BackupsSuspended"
		}
		props["protectionState"] = resource.NewStringProperty(state)
		props["policyId"] = resource.NewStringProperty("")
		in["properties"] = resource.NewObjectProperty(props)
		raw, err := encodeProps(in)
		if err != nil {
			return err
		}
		cur.Inputs, cur.plain = raw, nil
		if cur.Backup == nil {
			cur.Backup = &BackupState{}
		}
		cur.Backup.Stopped = true
		cur.Backup.RetainedUntil = time.Time{}
		if asPerPolicy && known {
			cur.Backup.RetainedUntil = c.now().Add(time.Duration(days) * 24 * time.Hour)
		}
		return c.put(cur)
	})
	return c.record("update", typeProtectedItem, id, "", err)
}

// Find returns the resources of an unversioned type whose ID ends with
// suffix (case-insensitive): an operator finds things by name.
func (c *Cloud) Find(typ, suffix string) ([]*Record, error) {
	all, err := c.Records()
	if err != nil {
		return nil, err
	}
	var out []*Record
	for _, r := range all {
		if r.Type == typ && strings.HasSuffix(strings.ToLower(r.ID), strings.ToLower(suffix)) {
			out = append(out, r)
		}
	}
	return out, nil
}

// OperatorSet is a change made outside the program, in the portal or with
// `az ... update`: the property at path (dotted, "publicNetworkAccess" or
// "properties.publicNetworkAccess") takes value in what Azure holds, inputs
// and outputs alike, so that the next refresh reads it. It is the drift a
// nightly `pulumi preview --refresh` must find, unless a Deny policy over
// the resource refuses it first.
func (c *Cloud) OperatorSet(id, path string, value any) error {
	typ := ""
	err := c.locked(func() error {
		cur, err := c.get(id)
		if err != nil {
			return err
		}
		if cur == nil {
			return fmt.Errorf("ResourceNotFound: %s", id)
		}
		typ = cur.Type
		for _, raw := range []*json.RawMessage{&cur.Inputs, &cur.Outputs} {
			props, err := decodeProps(*raw)
			if err != nil {
				return err
			}
			setPath(props, strings.Split(path, "."), resource.NewPropertyValue(value))
			if *raw, err = encodeProps(props); err != nil {
				return err
			}
		}
		cur.plain = nil
		// The portal's change goes through ARM, and Azure Policy with it.
		if err := c.checkDeny(cur); err != nil {
			return err
		}
		return c.put(cur)
	})
	return c.record("update", typ, id, "", err)
}

// setPath sets a nested property, creating the objects on the way.
func setPath(m resource.PropertyMap, steps []string, v resource.PropertyValue) {
	key := resource.PropertyKey(steps[0])
	if len(steps) == 1 {
		m[key] = v
		return
	}
	next := resource.PropertyMap{}
	if cur, ok := m[key]; ok && cur.IsObject() {
		next = cur.ObjectValue()
	}
	setPath(next, steps[1:], v)
	m[key] = resource.NewObjectProperty(next)
}
