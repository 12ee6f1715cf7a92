// Reading the gate's inputs from Azure through the Azure CLI, with the read
// rights of a stack's preview identity: since when each tenant of the ring
// runs the version (its Container App's latest ready revision, or its VMs'
// kpax-server extension), and the fired alerts of the stack's subscription
// (Azure Resource Graph). CI writes one Inputs file per stack; the gate
// merges them (Merge).

package release

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Runner runs the Azure CLI with args and returns its standard output.
type Runner func(args ...string) ([]byte, error)

// AzCLI runs the az found on PATH (a stand-in in tests).
func AzCLI(args ...string) ([]byte, error) {
	out, err := exec.Command("az", args...).Output()
	if ee, ok := err.(*exec.ExitError); ok {
		return out, fmt.Errorf("az %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(ee.Stderr)))
	}
	return out, err
}

// TenantRef is a tenant of the ring in one stack, as the project knows it.
type TenantRef struct {
	Name   string `json:"name"`
	Stack  string `json:"stack"`
	Region string `json:"region"`
	State  string `json:"state"`
	// Runtime is container or vm; VMs is a VM tenant's instance count.
	Runtime string `json:"runtime"`
	VMs     int    `json:"vms,omitempty"`
}

// resourceGroup is the tenant's own resource group (components/names.go,
// tenantResourceGroupName), which holds its app or VMs and its alert rules.
func (t TenantRef) resourceGroup() string { return fmt.Sprintf("rg-kpax-%s-%s", t.Region, t.Name) }

// Inputs are what CI reads from one stack's subscription for the gate.
type Inputs struct {
	Stack string `json:"stack"`
	// Image is the gated version's image, as releases.yaml names it.
	Image       string    `json:"image"`
	CollectedAt time.Time `json:"collectedAt"`
	Tenants     []Tenant  `json:"tenants"`
	Alerts      []Alert   `json:"alerts"`
}

// Collect reads, through az, since when each active tenant of refs (one
// stack's) has run image, and the gated alerts that fired in the soak window
// before now or are still fired. Suspended and decommissioned tenants are
// passed through unread: they do not count.
func Collect(az Runner, stack, image string, refs []TenantRef, now time.Time, soak time.Duration) (Inputs, error) {
	in := Inputs{Stack: stack, Image: image, CollectedAt: now.UTC(), Tenants: []Tenant{}, Alerts: []Alert{}}
	byRG := map[string]string{}
	for _, r := range refs {
		t := Tenant{Name: r.Name, Stack: stack, State: r.State}
		if r.State == StateActive {
			var err error
			switch r.Runtime {
			case "container":
				t.Running, t.Since, err = containerSince(az, r, image)
			case "vm":
				t.Running, t.Since, err = vmSince(az, r, image)
			default:
				err = fmt.Errorf("runtime %q is neither container nor vm", r.Runtime)
			}
			if err != nil {
				return Inputs{}, fmt.Errorf("tenant %q: %w", r.Name, err)
			}
		}
		byRG[strings.ToLower(r.resourceGroup())] = r.Name
		in.Tenants = append(in.Tenants, t)
	}
	alerts, err := firedAlerts(az, now, soak)
	if err != nil {
		return Inputs{}, fmt.Errorf("alerts: %w", err)
	}
	for _, a := range alerts {
		if a.Tenant == "" || byRG[a.Tenant] != "" {
			a.Tenant = byRG[a.Tenant]
			in.Alerts = append(in.Alerts, a)
		}
	}
	return in, nil
}

// containerSince: in single revision mode the app serves its latest ready
// revision (learn.microsoft.com/azure/container-apps/revisions, "Zero
// downtime deployment"), so the tenant runs image since that revision's
// createdTime, "when the revision was created by controller"
// (learn.microsoft.com/javascript/api/@azure/arm-appcontainers/revision).
// Any later change of the template makes a new revision and restarts the
// count: the soak is never overstated.
func containerSince(az Runner, r TenantRef, image string) (string, time.Time, error) {
	app := "ca-" + r.Name // components/names.go, containerAppName
	out, err := az("containerapp", "show", "--name", app, "--resource-group", r.resourceGroup(),
		"--query", "properties.latestReadyRevisionName", "--output", "tsv")
	if err != nil {
		return "", time.Time{}, err
	}
	rev := strings.TrimSpace(string(out))
	if rev == "" {
		return "", time.Time{}, nil
	}
	out, err = az("containerapp", "revision", "show", "--name", app, "--resource-group", r.resourceGroup(),
		"--revision", rev, "--output", "json")
	if err != nil {
		return "", time.Time{}, err
	}
	var revision struct {
		Properties struct {
			CreatedTime time.Time `json:"createdTime"`
			Template    struct {
				Containers []struct {
					Image string `json:"image"`
				} `json:"containers"`
			} `json:"template"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(out, &revision); err != nil {
		return "", time.Time{}, fmt.Errorf("revision %s: %w", rev, err)
	}
	var images []string
	for _, c := range revision.Properties.Template.Containers {
		images = append(images, c.Image)
		if c.Image == image {
			return c.Image, revision.Properties.CreatedTime, nil
		}
	}
	return strings.Join(images, ","), time.Time{}, nil
}

var scriptImage = regexp.MustCompile(`(?m)^image='([^']*)'$`)

// vmSince: each VM runs the server through its kpax-server CustomScript
// extension, whose public settings hold the bootstrap script with the image
// (components/tenant_server.go) and which runs again whenever the script
// changes. The extension's instance view reports the status of that run
// with its time (InstanceViewStatus.time,
// learn.microsoft.com/rest/api/compute/virtual-machine-extensions/get): the
// tenant runs image since the last of its VMs reported success with it.
// A later run of the script (any change of it) restarts the count, so the
// soak is never overstated.
func vmSince(az Runner, r TenantRef, image string) (string, time.Time, error) {
	var since time.Time
	for i := 1; i <= r.VMs; i++ {
		vm := fmt.Sprintf("vm-%s-%d", r.Name, i) // components/names.go, vmName
		out, err := az("vm", "extension", "show", "--resource-group", r.resourceGroup(), "--vm-name", vm,
			"--name", "kpax-server", "--instance-view", "--output", "json")
		if err != nil {
			return "", time.Time{}, err
		}
		var ext struct {
			Settings struct {
				Script string `json:"script"`
			} `json:"settings"`
			InstanceView struct {
				Statuses []struct {
					Code string    `json:"code"`
					Time time.Time `json:"time"`
				} `json:"statuses"`
			} `json:"instanceView"`
		}
		if err := json.Unmarshal(out, &ext); err != nil {
			return "", time.Time{}, fmt.Errorf("%s: kpax-server extension: %w", vm, err)
		}
		script, err := base64.StdEncoding.DecodeString(ext.Settings.Script)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("%s: kpax-server script: %w", vm, err)
		}
		m := scriptImage.FindSubmatch(script)
		if m == nil {
			return "", time.Time{}, fmt.Errorf("%s: kpax-server script names no image", vm)
		}
		running := string(m[1])
		var ok time.Time
		for _, s := range ext.InstanceView.Statuses {
			if strings.EqualFold(s.Code, "ProvisioningState/succeeded") {
				ok = s.Time
			}
		}
		if running != image || ok.IsZero() {
			return fmt.Sprintf("%s on %s", running, vm), time.Time{}, nil
		}
		if ok.After(since) {
			since = ok
		}
	}
	return image, since, nil
}

// alertQuery reads the subscription's alerts of kpax rules that fired within
// the last hours or are still fired, from Azure Resource Graph's
// alertsmanagementresources table; the fields are the alert's essentials
// (learn.microsoft.com/azure/azure-monitor/resource-graph-samples, "View
// recent Azure Monitor alerts"): alertRule, the rule's resource ID, names
// the rule; startDateTime is when the alert fired;
// monitorConditionResolvedDateTime when it resolved
// (github.com/Azure/azure-rest-api-specs, specification/alertsmanagement,
// AlertsManagement examples/Alerts_List.json).
func alertQuery(hours int) string {
	return "alertsmanagementresources" +
		" | where type =~ 'microsoft.alertsmanagement/alerts'" +
		" | extend rule = tostring(properties.essentials.alertRule)" +
		" | where rule contains '/kpax-' or name startswith 'kpax-'" +
		" | extend fired = todatetime(properties.essentials.startDateTime)," +
		" condition = tostring(properties.essentials.monitorCondition)," +
		" resolved = todatetime(properties.essentials.monitorConditionResolvedDateTime)" +
		// Fired in the window, still fired, or fired before it and
		// resolved inside it: each was fired during the soak.
		" | where fired > ago(" + strconv.Itoa(hours) + "h) or condition =~ 'Fired' or resolved > ago(" + strconv.Itoa(hours) + "h)" +
		" | project name, rule, firedAt = tostring(properties.essentials.startDateTime)," +
		" resolvedAt = tostring(properties.essentials.monitorConditionResolvedDateTime), condition"
}

// firedAlerts runs alertQuery page by page (az graph query returns at most
// --first rows and a skip_token for the next page). Each alert's Tenant is
// here the rule's resource group, lower case ("" when the rule is not an
// ARM ID); Collect maps it to the tenant.
func firedAlerts(az Runner, now time.Time, soak time.Duration) ([]Alert, error) {
	hours := int((soak + time.Hour - 1) / time.Hour)
	var out []Alert
	skip := ""
	for page := 0; ; page++ {
		if page > 50 {
			return nil, fmt.Errorf("more than 50 pages of alerts")
		}
		args := []string{"graph", "query", "--graph-query", alertQuery(hours), "--first", "1000", "--output", "json"}
		if skip != "" {
			args = append(args, "--skip-token", skip)
		}
		data, err := az(args...)
		if err != nil {
			return nil, err
		}
		var res struct {
			Data []struct {
				Name       string `json:"name"`
				Rule       string `json:"rule"`
				FiredAt    string `json:"firedAt"`
				ResolvedAt string `json:"resolvedAt"`
				Condition  string `json:"condition"`
			} `json:"data"`
			SkipToken *string `json:"skip_token"`
		}
		if err := json.Unmarshal(data, &res); err != nil {
			return nil, fmt.Errorf("az graph query: %w", err)
		}
		for _, row := range res.Data {
			a := Alert{Name: row.Name}
			if i := strings.LastIndex(row.Rule, "/"); i >= 0 && strings.Contains(strings.ToLower(row.Rule), "/resourcegroups/") {
				a.Name = row.Rule[i+1:]
				parts := strings.Split(row.Rule, "/")
				for j := 0; j+1 < len(parts); j++ {
					if strings.EqualFold(parts[j], "resourceGroups") {
						a.Tenant = strings.ToLower(parts[j+1])
					}
				}
			}
			fired, err := time.Parse(time.RFC3339, row.FiredAt)
			if err != nil {
				return nil, fmt.Errorf("alert %s: firedAt %q: %w", a.Name, row.FiredAt, err)
			}
			a.FiredAt = fired
			if !strings.EqualFold(row.Condition, "Fired") && row.ResolvedAt != "" {
				if a.ResolvedAt, err = time.Parse(time.RFC3339, row.ResolvedAt); err != nil {
					return nil, fmt.Errorf("alert %s: resolvedAt %q: %w", a.Name, row.ResolvedAt, err)
				}
			}
			out = append(out, a)
		}
		if res.SkipToken == nil || *res.SkipToken == "" {
			return out, nil
		}
		skip = *res.SkipToken
	}
}

// Merge joins the stacks' inputs into the gate's input for ring: they must
// all name one image, whose tag is the version.
func Merge(ring string, soak time.Duration, now time.Time, inputs []Inputs) (GateInput, error) {
	g := GateInput{Ring: ring, Soak: soak, Now: now}
	image := ""
	for _, in := range inputs {
		if image != "" && in.Image != image {
			return GateInput{}, fmt.Errorf("stack %s was read for %s, another for %s: one gate, one version", in.Stack, in.Image, image)
		}
		image = in.Image
		g.Tenants = append(g.Tenants, in.Tenants...)
		g.Alerts = append(g.Alerts, in.Alerts...)
	}
	g.Version = Version(image)
	return g, nil
}

// Version is an image's tag: <registry>/kpax-server:<version> -> <version>.
func Version(image string) string {
	if i := strings.LastIndex(image, ":"); i >= 0 && !strings.Contains(image[i:], "/") {
		return image[i+1:]
	}
	return ""
}
