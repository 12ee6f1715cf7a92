// The simulated ARM operations: create, update, delete and read of one
// resource, each checked against the rules and logged.

package simazure

import (
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/kpax/kpax-cloud/plan"
)

// Request is one resource operation the engine asks of the cloud.
type Request struct {
	// Type is the Pulumi type token (versioned or not).
	Type string
	URN  string
	// Name is the resource's logical name.
	Name string
	// ID is the resource's ARM ID (update and delete).
	ID string
	// Inputs are the new inputs (create and update); OldInputs the previous
	// ones (update) or the last recorded (delete).
	Inputs, OldInputs resource.PropertyMap
	// Subscription is the subscription the provider instance works in.
	Subscription string
}

// latency is how long Azure takes over some operations, scaled down: long
// enough that a resource which does not wait for the operation runs while it
// is still under way, as it would in Azure.
func latency(typ, op string) time.Duration {
	switch {
	case typ == typePrivateEndpoint && op == "create", typ == typeZoneGroup && op == "create":
		// Private endpoints and their DNS registration take minutes.
		return 300 * time.Millisecond
	case typ == typeLock && op == "delete":
		// A lock is only gone once ARM has propagated its removal.
		return 300 * time.Millisecond
	case typ == typeSleep && op == "create":
		// A sleep takes its time: what does not wait for it runs
		// meanwhile, before the simulated clock moves.
		return time.Second
	}
	return 0
}

// Create makes a resource, or refuses.
func (c *Cloud) Create(req Request) (string, resource.PropertyMap, error) {
	typ := plan.Unversioned(req.Type)
	id, outputs := plan.AzureState(req.Type, req.Name, req.Inputs)
	id, outputs = inSubscription(id, outputs, req.Subscription)
	time.Sleep(latency(typ, "create"))
	inputs, err := encodeProps(req.Inputs)
	if err != nil {
		return "", nil, err
	}
	state, err := encodeProps(outputs)
	if err != nil {
		return "", nil, err
	}
	rec := &Record{ID: id, Type: typ, URN: req.URN, Inputs: inputs, Outputs: state}
	err = c.locked(func() error {
		rec.Created = c.now()
		if err := c.checkCreate(rec); err != nil {
			return err
		}
		if typ == typeProtectedItem {
			all, err := c.all()
			if err != nil {
				return err
			}
			rec.Backup = &BackupState{}
			if days, ok := policyRetentionDays(all, rec.String("properties.policyId")); ok {
				// Its first backup runs at the next scheduled time; its
				// recovery points are kept for the policy's retention.
				rec.Backup.RetainedUntil = rec.Created.Add(time.Duration(days) * 24 * time.Hour)
			}
		}
		if err := c.put(rec); err != nil {
			return err
		}
		if typ == typeSQLServer {
			return c.serverCreatedAdmin(rec)
		}
		return nil
	})
	if err := c.record("create", typ, id, req.URN, err); err != nil {
		return "", nil, err
	}
	return id, outputs, nil
}

// checkCreate holds the rules of a new resource. It reads the whole cloud
// only for the rules that need it, so that creating a stack stays linear.
func (c *Cloud) checkCreate(rec *Record) error {
	if r, err := c.get(rec.ID); err != nil {
		return err
	} else if r != nil {
		return refuse(RuleAlreadyExists, "%s already exists (created by %s); import it or delete it first", rec.ID, orOutside(r.URN))
	}
	if err := c.checkSubscription(rec.ID); err != nil {
		return err
	}
	if rg := resourceGroupOf(rec.ID); rg != "" && rec.Type != typeResourceGroup {
		if r, err := c.get(rg); err != nil {
			return err
		} else if r == nil {
			return refuse(RuleResourceGroupNotFound, "resource group %s of %s does not exist", rg, rec.ID)
		}
	}
	if err := checkPortRanges(rec); err != nil {
		return err
	}
	if err := checkVaultTierRetention(rec); err != nil {
		return err
	}
	if err := c.checkDeny(rec); err != nil {
		return err
	}
	switch rec.Type {
	case typePolicySet, typePolicyAssignment:
		return c.checkPolicy(rec)
	case typeContainerApp, typeAppGateway:
		all, err := c.all()
		if err != nil {
			return err
		}
		if rec.Type == typeAppGateway {
			return checkGatewayCertificates(all, c.grants(all), rec)
		}
		if err := checkWorkloadProfile(all, rec); err != nil {
			return err
		}
		return checkContainerApp(all, c.grants(all), rec)
	case typeSQLEntraOnly:
		return c.checkEntraOnly(rec)
	case typeObjectReplication:
		all, err := c.all()
		if err != nil {
			return err
		}
		return checkObjectReplication(all, rec)
	case typeEnvironment, typeSubnet:
		all, err := c.all()
		if err != nil {
			return err
		}
		if rec.Type == typeSubnet {
			return checkBastionSubnet(all, rec)
		}
		if err := checkEnvironmentSubnet(all, rec); err != nil {
			return err
		}
		return checkEnvironmentLogs(all, rec)
	}
	return nil
}

// checkSubscription refuses an ID in a subscription the cloud does not have.
func (c *Cloud) checkSubscription(id string) error {
	if sub := subscriptionOf(id); sub != "" && !c.hasSubscription(sub) {
		return refuse(RuleSubscriptionNotFound, "the subscription '%s' of %s could not be found", sub, id)
	}
	return nil
}

func orOutside(urn string) string {
	if urn == "" {
		return "someone outside the program"
	}
	return urn
}

// resourceGroupOf returns "/subscriptions/<s>/resourceGroups/<g>" of an ID
// that lies in a resource group.
func resourceGroupOf(id string) string {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	if len(parts) >= 4 && strings.EqualFold(parts[0], "subscriptions") && strings.EqualFold(parts[2], "resourceGroups") {
		return "/" + strings.Join(parts[:4], "/")
	}
	return ""
}

// inSubscription moves a mocked ID (and the id output) into the provider's
// subscription.
func inSubscription(id string, outputs resource.PropertyMap, subscription string) (string, resource.PropertyMap) {
	if subscription == "" || subscription == plan.MockSubscriptionID {
		return id, outputs
	}
	move := func(s string) string {
		return strings.Replace(s, "/subscriptions/"+plan.MockSubscriptionID, "/subscriptions/"+subscription, 1)
	}
	id = move(id)
	if v, ok := outputs["id"]; ok && v.IsString() {
		outputs["id"] = resource.NewStringProperty(move(v.StringValue()))
	}
	return id, outputs
}

// Update changes a resource in place, or refuses.
func (c *Cloud) Update(req Request) (resource.PropertyMap, error) {
	typ := plan.Unversioned(req.Type)
	req.Inputs = keepIgnored(typ, req.OldInputs, req.Inputs)
	_, outputs := plan.AzureState(req.Type, req.Name, req.Inputs)
	_, outputs = inSubscription(req.ID, outputs, req.Subscription)
	outputs["id"] = resource.NewStringProperty(req.ID)
	inputs, err := encodeProps(req.Inputs)
	if err != nil {
		return nil, err
	}
	state, err := encodeProps(outputs)
	if err != nil {
		return nil, err
	}
	err = c.locked(func() error {
		cur, err := c.get(req.ID)
		if err != nil {
			return err
		}
		if cur == nil {
			return fmt.Errorf("ResourceNotFound: %s does not exist", req.ID)
		}
		if err := c.checkSubscription(req.ID); err != nil {
			return err
		}
		next := &Record{ID: cur.ID, Type: typ, URN: req.URN, Inputs: inputs, Outputs: state, Created: cur.Created, Backup: cur.Backup}
		old := plainMap(req.OldInputs, true)
		if refused := refusedChanges(typ, old, plainMap(req.Inputs, true)); len(refused) > 0 {
			return refuseUpdate(req.ID, refused)
		}
		if err := checkPortRanges(next); err != nil {
			return err
		}
		if err := checkVaultTierRetention(next); err != nil {
			return err
		}
		if err := c.checkDeny(next); err != nil {
			return err
		}
		switch typ {
		case typePolicySet, typePolicyAssignment:
			if err := c.checkPolicy(next); err != nil {
				return err
			}
		case typeAppGateway:
			all, err := c.all()
			if err != nil {
				return err
			}
			if err := checkGatewayCertificates(all, c.grants(all), next); err != nil {
				return err
			}
		case typeObjectReplication:
			all, err := c.all()
			if err != nil {
				return err
			}
			if err := checkObjectReplication(all, next); err != nil {
				return err
			}
		case typeProtectedItem:
			all, err := c.all()
			if err != nil {
				return err
			}
			if err := updateProtection(all, cur, next, c.now()); err != nil {
				return err
			}
		case typeRecoveryVault:
			if err := checkSoftDeleteState(cur, next); err != nil {
				return err
			}
		case typeEnvironment, typeSubnet, typeNSG:
			all, err := c.all()
			if err != nil {
				return err
			}
			switch typ {
			case typeEnvironment:
				err = checkEnvironmentLogs(all, next)
			case typeSubnet:
				if err = checkSubnetRange(all, cur, next); err == nil {
					err = checkBastionSubnet(all, next)
				}
			default:
				err = checkBastionSubnet(all, next)
			}
			if err != nil {
				return err
			}
		}
		return c.put(next)
	})
	if err := c.record("update", typ, req.ID, req.URN, err); err != nil {
		return nil, err
	}
	return outputs, nil
}

// updateProtection applies a protected item's change of policy or state.
func updateProtection(all []*Record, cur, next *Record, now time.Time) error {
	vault := itemVault(all, cur)
	oldPolicy, newPolicy := cur.String("properties.policyId"), next.String("properties.policyId")
	state := next.String("properties.protectionState")
	if next.Backup == nil {
		next.Backup = &BackupState{}
	}
	switch {
	case strings.EqualFold(state, "ProtectionStopped"):
		// Stop protection and retain data: no more backups, and the
		// recovery points stay until they are deleted.
		next.Backup.Stopped = true
		next.Backup.RetainedUntil = time.Time{}
	case strings.EqualFold(state, "BackupsSuspended"):
		// Retain as per policy: the points expire on the old policy's
		// schedule.
		days, _ := policyRetentionDays(all, oldPolicy)
		next.Backup.Stopped = true
		next.Backup.RetainedUntil = now.Add(time.Duration(days) * 24 * time.Hour)
	case !strings.EqualFold(oldPolicy, newPolicy) && newPolicy != "":
		oldDays, okOld := policyRetentionDays(all, oldPolicy)
		newDays, okNew := policyRetentionDays(all, newPolicy)
		if immutable(vault) && okOld && okNew && newDays < oldDays {
			return refuse(RuleImmutableVaultRetention, "%s: moving from a %d-day to a %d-day policy reduces retention in immutable vault %s",
				cur.ID, oldDays, newDays, vault.ID)
		}
		if okNew {
			next.Backup.Stopped = false
			next.Backup.RetainedUntil = now.Add(time.Duration(newDays) * 24 * time.Hour)
		}
	}
	return nil
}

// Delete removes a resource and what lies under it, or refuses.
func (c *Cloud) Delete(req Request) error {
	typ := plan.Unversioned(req.Type)
	time.Sleep(latency(typ, "delete"))
	err := c.locked(func() error {
		all, err := c.all()
		if err != nil {
			return err
		}
		cur, err := c.get(req.ID)
		if err != nil || cur == nil {
			return err // already gone: ARM answers 204
		}
		if err := checkLocks(all, cur); err != nil {
			return err
		}
		if err := checkBackupDelete(all, cur, c.now()); err != nil {
			return err
		}
		_, err = c.remove(cur.ID)
		return err
	})
	return c.record("delete", typ, req.ID, req.URN, err)
}

// checkBackupDelete holds the vault's rules on deleting backup resources.
func checkBackupDelete(all []*Record, cur *Record, now time.Time) error {
	switch cur.Type {
	case typeProtectedItem:
		vault := itemVault(all, cur)
		b := cur.Backup
		retained := b != nil && (b.RetainedUntil.IsZero() || now.Before(b.RetainedUntil))
		if immutable(vault) && retained {
			until := "indefinitely"
			if !b.RetainedUntil.IsZero() {
				until = "until " + b.RetainedUntil.Format(time.DateOnly)
			}
			return refuse(RuleImmutableVaultDelete, "%s: stopping protection and deleting its data is not allowed while vault %s is immutable and recovery points are retained %s",
				cur.ID, vault.ID, until)
		}
	case typeBackupContainer, typeRecoveryVault:
		for _, item := range byType(all, typeProtectedItem) {
			inVault := itemVault(all, item)
			if inVault == nil {
				continue
			}
			if cur.Type == typeRecoveryVault && strings.EqualFold(inVault.ID, cur.ID) {
				return refuse(RuleVaultNotEmpty, "vault %s still holds protected item %s", cur.ID, item.ID)
			}
			if cur.Type == typeBackupContainer && strings.EqualFold(item.String("containerName"), cur.String("containerName")) &&
				strings.EqualFold(inVault.String("vaultName"), cur.String("vaultName")) {
				return refuse(RuleVaultNotEmpty, "container %s still holds protected item %s", cur.ID, item.ID)
			}
		}
		if cur.Type == typeRecoveryVault {
			for _, ct := range byType(all, typeBackupContainer) {
				if v := itemVault(all, ct); v != nil && strings.EqualFold(v.ID, cur.ID) {
					return refuse(RuleVaultNotEmpty, "vault %s still has registered container %s", cur.ID, ct.ID)
				}
			}
		}
	}
	return nil
}

// Read returns a resource's recorded inputs and state; nil outputs when
// Azure has no such resource.
func (c *Cloud) Read(id string) (resource.PropertyMap, resource.PropertyMap, error) {
	rec, err := c.Get(id)
	if err != nil || rec == nil {
		return nil, nil, err
	}
	in, err := decodeProps(rec.Inputs)
	if err != nil {
		return nil, nil, err
	}
	out, err := decodeProps(rec.Outputs)
	return in, out, err
}

// record logs an operation's outcome and passes its error on.
func (c *Cloud) record(op, typ, id, urn string, err error) error {
	entry := Op{Op: op, Type: typ, ID: id, URN: urn}
	if err != nil {
		entry.Op, entry.Asked, entry.Error = "refuse", op, err.Error()
		if r, ok := err.(*Refusal); ok {
			entry.Rule = r.Rule.Name
		}
	}
	if lerr := c.log(entry); lerr != nil && err == nil {
		return lerr
	}
	return err
}
