package components

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpsPath: the operators' jobs run in an environment of their own, in
// the ops subnet, with logs to the region's workspace, under the ops
// identity; the grant job's script grants every tenant whose database is
// live, in its own database, one sqlcmd and one log line each.
func TestOpsPath(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	env := cr.get(t, ctEnv, cr.n("ops-cae"))
	check(t, env, "environmentName", "cae-kpax-fr-ops")
	check(t, env, "vnetConfiguration.internal", true)
	check(t, env, "vnetConfiguration.infrastructureSubnetId", cr.get(t, ctSubnet, cr.n("snet-ops")).ID)
	// Its jobs' logs reach the workspace like the tenants' environments'
	// (TestClusterTenantEnvironments checks the setting of each).
	check(t, env, "appLogsConfiguration.destination", "azure-monitor")
	check(t, env, "workloadProfiles.0.workloadProfileType", "Consumption")
	identity := cr.get(t, ctIdentity, cr.n("ops-identity"))
	check(t, identity, "resourceName", "id-kpax-fr-ops")

	job := cr.get(t, ctJob, cr.n("ops-job-grants"))
	check(t, job, "jobName", "job-kpax-fr-grants")
	check(t, job, "environmentId", env.ID)
	check(t, job, "configuration.triggerType", "Manual")
	check(t, job, "identity.userAssignedIdentities.0", identity.ID)
	check(t, job, "template.containers.0.image", "kpaxcloud.azurecr.io/kpax-ops:1.0.0")
	check(t, job, "configuration.registries.0.server", "kpaxcloud.azurecr.io")
	check(t, job, "template.containers.0.env.0.name", "OPS_CLIENT_ID")

	// One entry per live tenant (active and suspended, not the
	// decommissioned), run by the script itself: a stand-in sqlcmd
	// records what it is asked.
	vars := map[string]string{}
	for _, e := range list(job, "template.containers.0.env") {
		vars[e["name"].(string)] = fmt.Sprint(e["value"])
	}
	want := []string{"fracme", "frglobex", "frinitech"}
	if len(vars) != len(want)+1 {
		t.Errorf("grant job env %v, want OPS_CLIENT_ID and one entry for each of %v", vars, want)
	}
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	stub := "#!/bin/sh\nprintf '%s|' \"$@\" >> " + calls + "\necho >> " + calls + "\n"
	if err := os.WriteFile(filepath.Join(dir, "sqlcmd"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", job.String("template.containers.0.command.2"))
	cmd.Env = []string{"PATH=" + dir + ":/usr/bin:/bin"}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("grant script: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	invocations := strings.Split(strings.TrimSpace(string(raw)), "\n")
	logs := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(invocations) != len(want) || len(logs) != len(want) {
		t.Fatalf("grant script ran sqlcmd %d times and logged %q, want %d of each", len(invocations), logs, len(want))
	}
	for i, tn := range want {
		user := "id-kpax-fr-" + tn
		for _, part := range []string{"--database-name|sqldb-" + tn + "|", "--user-name|" + vars["OPS_CLIENT_ID"] + "|", "--query|" + GrantSQL(user) + "|", "--authentication-method|ActiveDirectoryManagedIdentity|"} {
			if !strings.Contains(invocations[i], part) {
				t.Errorf("grant %d: sqlcmd %q lacks %q", i, invocations[i], part)
			}
		}
		if line := "kpax-grant tenant=" + tn + " database=sqldb-" + tn + " user=" + user + " role=db_owner result=ok"; logs[i] != line {
			t.Errorf("grant %d logged %q, want %q", i, logs[i], line)
		}
	}
}

// TestGrantSQLIsGuarded: every statement of a grant runs only when its
// effect is missing, so that a second run changes nothing and fails nowhere.
func TestGrantSQLIsGuarded(t *testing.T) {
	got := GrantSQL("id-kpax-fr-o'brien]")
	want := "IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'id-kpax-fr-o''brien]') CREATE USER [id-kpax-fr-o'brien]]] FROM EXTERNAL PROVIDER; " +
		"IF IS_ROLEMEMBER(N'db_owner', N'id-kpax-fr-o''brien]') = 0 ALTER ROLE [db_owner] ADD MEMBER [id-kpax-fr-o'brien]]];"
	if got != want {
		t.Errorf("GrantSQL:\n got %s\nwant %s", got, want)
	}
}

// TestOpsSQLJob: the SQL job runs the one query its start names, after a
// log line saying who asked; started without one, it runs nothing.
func TestOpsSQLJob(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	job := cr.get(t, ctJob, cr.n("ops-job-sql"))
	check(t, job, "jobName", "job-kpax-fr-sql")
	check(t, job, "identity.userAssignedIdentities.0", cr.get(t, ctIdentity, cr.n("ops-identity")).ID)
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	stub := "#!/bin/sh\nprintf '%s|' \"$@\" >> " + calls + "\n"
	if err := os.WriteFile(filepath.Join(dir, "sqlcmd"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(env ...string) (string, error) {
		cmd := exec.Command("/bin/sh", "-c", job.String("template.containers.0.command.2"))
		cmd.Env = append([]string{"PATH=" + dir + ":/usr/bin:/bin", "OPS_CLIENT_ID=client"}, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(); err == nil || !strings.Contains(out, "docs/restore.md") {
		t.Errorf("started without a query: %v %q", err, out)
	}
	if _, err := os.Stat(calls); err == nil {
		t.Error("started without a query, it ran sqlcmd")
	}
	out, err := run("SERVER=sql-kpax-fr-1-abcde", "DATABASE=sqldb-acme-drill", "QUERY=SELECT 1", "REQUESTED_BY=restore-drill acme")
	if err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if want := "kpax-sql requested-by=restore-drill acme server=sql-kpax-fr-1-abcde database=sqldb-acme-drill query=SELECT 1"; !strings.Contains(out, want) {
		t.Errorf("log %q, want %q", out, want)
	}
	raw, _ := os.ReadFile(calls)
	for _, part := range []string{"--server|tcp:sql-kpax-fr-1-abcde.database.windows.net,1433|", "--database-name|sqldb-acme-drill|", "--user-name|client|", "--query|SELECT 1|"} {
		if !strings.Contains(string(raw), part) {
			t.Errorf("sqlcmd %q lacks %q", raw, part)
		}
	}
}
