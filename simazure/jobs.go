// Container Apps jobs and the SQL data plane they reach: `az containerapp
// job start` runs a job's command once, in its environment's subnet, under
// its identity. The simulated Azure runs what the program's grant job runs
// (components/cluster_ops.go): each tenant's grant entry. A SQL batch reaches a server only
// as Azure lets it: through the server's private endpoint, with both
// subnets' NSGs allowing TDS (1433), signed in as a member of the server's
// Entra admin group, to a database that exists; and it runs the T-SQL
// statements the program writes, with SQL Server's answers.

package simazure

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Types of the jobs' world.
const (
	typeJob         = "azure-native:app:Job"
	typeEnvironment = "azure-native:app:ManagedEnvironment"
	typeSubnet      = "azure-native:network:Subnet"
	typeSQLDatabase = "azure-native:sql:Database"
)

// Execution is one run of a job.
type Execution struct {
	Job    string
	Status string // Succeeded, Failed
	// Log is what the run printed: the region's workspace keeps it
	// (ContainerAppConsoleLogs_CL).
	Log []string
}

// StartJob is `az containerapp job start`: the job's container runs once,
// as defined. (An --env-vars override without --image is ignored, and one
// with an image replaces the whole template: Azure/azure-cli#27023,
// #27521; so the program's jobs carry everything they run.)
func (c *Cloud) StartJob(jobID string) (Execution, error) {
	ex := Execution{Job: jobID}
	err := c.locked(func() error {
		job, err := c.get(jobID)
		if err != nil {
			return err
		}
		if job == nil || job.Type != typeJob {
			return fmt.Errorf("ResourceNotFound: no job %s", jobID)
		}
		all, err := c.all()
		if err != nil {
			return err
		}
		caller, err := jobCaller(all, job)
		if err != nil {
			return err
		}
		state, err := c.sqlState()
		if err != nil {
			return err
		}
		ex.Status = "Succeeded"
		for _, run := range jobRuns(job) {
			if msg := c.runSQL(all, state, caller, run); msg != "" {
				ex.Status = "Failed"
				ex.Log = append(ex.Log, run.failed+" error="+msg)
				continue
			}
			ex.Log = append(ex.Log, run.ok)
		}
		return c.saveSQLState(state)
	})
	if err != nil {
		return ex, c.record("job-start", typeJob, jobID, "", err)
	}
	return ex, c.record("job-start", typeJob, jobID, "", nil)
}

// caller is who a job's SQL runs as, and from where.
type caller struct {
	principal, subnetPrefix, nsg string
}

// jobCaller is a job's first user-assigned identity (the one its script
// signs in with) and its environment's subnet.
func jobCaller(all []*Record, job *Record) (caller, error) {
	plain := job.Plain()
	var c caller
	if ids, _ := lookup(plain, "identity.userAssignedIdentities").([]any); len(ids) > 0 {
		id, _ := ids[0].(string)
		c.principal = principalsOf(all)[strings.ToLower(id)]
	}
	env := byID(all, job.String("environmentId"))
	if env == nil {
		return c, fmt.Errorf("job %s: its environment does not exist", job.ID)
	}
	subnet := byID(all, env.String("vnetConfiguration.infrastructureSubnetId"))
	if subnet == nil {
		return c, fmt.Errorf("job %s: its environment is in no subnet of a VNet", job.ID)
	}
	c.subnetPrefix = subnet.String("addressPrefix")
	c.nsg = subnet.String("networkSecurityGroup.id")
	return c, nil
}

// sqlRun is one SQL batch a job runs, and the lines it logs.
type sqlRun struct {
	server, database, sql string
	ok, failed            string
}

// jobRuns reads the grant job's entries: its KPAX_GRANT_* environment
// variables, in name order, each the shell-quoted arguments TENANT SERVER
// DATABASE USER SQL of the script's grant function.
func jobRuns(job *Record) []sqlRun {
	vars, _ := lookup(job.Plain(), "template.containers.0.env").([]any)
	grants := map[string]string{}
	var names []string
	for _, v := range vars {
		name, _ := lookup(v, "name").(string)
		value, _ := lookup(v, "value").(string)
		if strings.HasPrefix(name, "KPAX_GRANT_") {
			grants[name] = value
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var runs []sqlRun
	for _, name := range names {
		args := shellWords(grants[name])
		if len(args) != 5 {
			continue
		}
		t, s, d, u := args[0], args[1], args[2], args[3]
		runs = append(runs, sqlRun{server: s, database: d, sql: args[4],
			ok:     fmt.Sprintf("kpax-grant tenant=%s database=%s user=%s role=db_owner result=ok", t, d, u),
			failed: fmt.Sprintf("kpax-grant tenant=%s database=%s user=%s result=failed", t, d, u)})
	}
	return runs
}

// shellWords splits single-quoted shell words ('a' 'b'\”c').
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	in, started := false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\'':
			in, started = !in, true
		case ch == '\\' && !in && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case ch == ' ' && !in:
			if started {
				words = append(words, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteByte(ch)
			started = true
		}
	}
	if started {
		words = append(words, cur.String())
	}
	return words
}

// sqlState is what the simulated SQL databases hold: their users and role
// members, by database resource ID.
type sqlState map[string]*sqlDatabase

type sqlDatabase struct {
	Users []string            `json:"users"`
	Roles map[string][]string `json:"roles"`
}

func (c *Cloud) sqlState() (sqlState, error) {
	s := sqlState{}
	b, err := os.ReadFile(filepath.Join(c.dir, "sql-state.json"))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	return s, json.Unmarshal(b, &s)
}

func (c *Cloud) saveSQLState(s sqlState) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.dir, "sql-state.json"), b, 0o644)
}

// DatabaseUsers lists a database's users and, for each, its roles
// ("id-kpax-fr-acme:db_owner").
func (c *Cloud) DatabaseUsers(databaseID string) ([]string, error) {
	var out []string
	err := c.locked(func() error {
		s, err := c.sqlState()
		if err != nil {
			return err
		}
		db := s[strings.ToLower(databaseID)]
		if db == nil {
			return nil
		}
		for _, u := range db.Users {
			roles := []string{}
			for r, members := range db.Roles {
				if contains(members, u) {
					roles = append(roles, r)
				}
			}
			sort.Strings(roles)
			out = append(out, u+":"+strings.Join(roles, ","))
		}
		return nil
	})
	return out, err
}

// AddGroupMember is an Entra step outside the subscription: the principal
// joins the group (a managed identity can be a group member:
// learn.microsoft.com/entra/identity/managed-identities-azure-resources/managed-identities-faq).
func (c *Cloud) AddGroupMember(group, principal string) error {
	return c.locked(func() error {
		groups, err := c.groups()
		if err != nil {
			return err
		}
		if !contains(groups[group], principal) {
			groups[group] = append(groups[group], principal)
		}
		b, err := json.Marshal(groups)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(c.dir, "groups.json"), b, 0o644)
	})
}

func (c *Cloud) groups() (map[string][]string, error) {
	g := map[string][]string{}
	b, err := os.ReadFile(filepath.Join(c.dir, "groups.json"))
	if errors.Is(err, os.ErrNotExist) {
		return g, nil
	}
	if err != nil {
		return nil, err
	}
	return g, json.Unmarshal(b, &g)
}

// The T-SQL the simulated databases run: the statements of
// components.GrantSQL, guarded or not.
var (
	guardedCreate = regexp.MustCompile(`^IF NOT EXISTS \(SELECT 1 FROM sys\.database_principals WHERE name = N'((?:[^']|'')+)'\) CREATE USER \[((?:[^\]]|\]\])+)\] FROM EXTERNAL PROVIDER$`)
	plainCreate   = regexp.MustCompile(`^CREATE USER \[((?:[^\]]|\]\])+)\] FROM EXTERNAL PROVIDER$`)
	roleMember    = regexp.MustCompile(`^(?:IF IS_ROLEMEMBER\(N'[^']+', N'(?:[^']|'')+'\) = 0 )?ALTER ROLE \[([^\]]+)\] ADD MEMBER \[((?:[^\]]|\]\])+)\]$`)
)

// runSQL runs one batch for a caller: "" when it succeeds, else SQL
// Server's answer.
func (c *Cloud) runSQL(all []*Record, state sqlState, who caller, run sqlRun) string {
	server := byName(all, typeSQLServer, "serverName", run.server, "")
	if server == nil {
		return fmt.Sprintf("server %s.database.windows.net does not resolve", run.server)
	}
	if why := tdsReachable(all, server, who); why != "" {
		return "Login timeout expired: " + why
	}
	admin, _ := c.get(entraAdminID(server.ID))
	groups, err := c.groups()
	if err != nil {
		return err.Error()
	}
	if admin == nil || !contains(groups[admin.String("sid")], who.principal) {
		return "Msg 18456: Login failed for user '<token-identified principal>' (the caller is not a member of the server's Entra admin group)"
	}
	var db *Record
	for _, d := range byType(all, typeSQLDatabase) {
		if d.String("serverName") == run.server && d.String("databaseName") == run.database {
			db = d
		}
	}
	if db == nil {
		return fmt.Sprintf("Msg 4060: Cannot open database %q requested by the login", run.database)
	}
	key := strings.ToLower(db.ID)
	if state[key] == nil {
		state[key] = &sqlDatabase{Roles: map[string][]string{}}
	}
	d := state[key]
	for _, stmt := range strings.Split(run.sql, ";") {
		stmt = strings.TrimSpace(stmt)
		if stmt == "" {
			continue
		}
		switch {
		case guardedCreate.MatchString(stmt):
			name := unquoteBracket(guardedCreate.FindStringSubmatch(stmt)[2])
			if contains(d.Users, name) {
				continue
			}
			if msg := createUser(all, groups, server, d, name); msg != "" {
				return msg
			}
		case plainCreate.MatchString(stmt):
			name := unquoteBracket(plainCreate.FindStringSubmatch(stmt)[1])
			if contains(d.Users, name) {
				return fmt.Sprintf("Msg 15023: User, group, or role '%s' already exists in the current database.", name)
			}
			if msg := createUser(all, groups, server, d, name); msg != "" {
				return msg
			}
		case roleMember.MatchString(stmt):
			m := roleMember.FindStringSubmatch(stmt)
			role, name := m[1], unquoteBracket(m[2])
			if !contains(d.Users, name) {
				return fmt.Sprintf("Msg 15151: Cannot add the principal '%s', because it does not exist or you do not have permission.", name)
			}
			if !contains(d.Roles[role], name) {
				d.Roles[role] = append(d.Roles[role], name)
			}
		default:
			return "the simulated SQL does not run this statement: " + stmt
		}
	}
	return ""
}

// directoryReaders is the Entra role whose members may resolve principals:
// a key of the simulated directory's groups.
const directoryReaders = "Directory Readers"

// createUser makes a contained user for an Entra principal, found by its
// display name: a managed identity's is its resource name. When the caller
// is a managed identity (the ops jobs always are), the server resolves the
// name with its own identity, which needs Directory Readers: "If the role
// isn't assigned to the logical server identity, creating Microsoft Entra
// users in Azure SQL will fail"
// (learn.microsoft.com/azure/azure-sql/database/authentication-aad-directory-readers-role).
func createUser(all []*Record, groups map[string][]string, server *Record, d *sqlDatabase, name string) string {
	if !contains(groups[directoryReaders], outputString(server, "identity.principalId")) {
		return fmt.Sprintf("Msg 33134 (text simulated): Principal '%s' could not be resolved: the identity of server %s does not have Directory Readers", name, server.String("serverName"))
	}
	if byName(all, typeIdentity, "resourceName", name, "") == nil {
		return fmt.Sprintf("Msg 33130: Principal '%s' could not be found or this principal type is not supported.", name)
	}
	d.Users = append(d.Users, name)
	return ""
}

// tdsReachable says why a caller cannot reach a server over TDS, or "": it
// needs the server's private endpoint in its VNet (public access is off),
// its own NSG to let 1433 out to the endpoint's subnet, and the endpoint
// subnet's NSG to let it in. NSG rules are matched by exact prefix, as the
// program writes them, in priority order.
func tdsReachable(all []*Record, server *Record, who caller) string {
	for _, pe := range byType(all, typePrivateEndpoint) {
		if !contains(stringsAt(pe.Plain(), "privateLinkServiceConnections.*.privateLinkServiceId"), server.ID) {
			continue
		}
		peSubnet := byID(all, pe.String("subnet.id"))
		if peSubnet == nil {
			return "the server's private endpoint is in no subnet"
		}
		prefix := peSubnet.String("addressPrefix")
		if !nsgAllows(byID(all, who.nsg), "Outbound", prefix, 1433) {
			return fmt.Sprintf("the caller's subnet %s does not let TDS out to %s", who.subnetPrefix, prefix)
		}
		if !nsgAllows(byID(all, peSubnet.String("networkSecurityGroup.id")), "Inbound", who.subnetPrefix, 1433) {
			return fmt.Sprintf("the endpoints' subnet %s does not admit %s on 1433", prefix, who.subnetPrefix)
		}
		return ""
	}
	return "the server has no private endpoint, and its public access is disabled"
}

// nsgAllows reports whether an NSG lets traffic to or from peer on port
// through: its first rule by priority that names peer exactly (or the whole
// VNet, or anything) and covers the port decides. No NSG allows all.
func nsgAllows(nsg *Record, direction, peer string, port int) bool {
	if nsg == nil {
		return true
	}
	rules, _ := lookup(nsg.Plain(), "securityRules").([]any)
	type r struct {
		prio   float64
		access string
	}
	var matching []r
	for _, raw := range rules {
		rule, _ := raw.(map[string]any)
		if rule["direction"] != direction {
			continue
		}
		key := "sourceAddressPrefix"
		if direction == "Outbound" {
			key = "destinationAddressPrefix"
		}
		p, _ := rule[key].(string)
		if p != peer && p != "VirtualNetwork" && p != "*" {
			continue
		}
		if !rulePortCovers(rule, port) {
			continue
		}
		prio, _ := rule["priority"].(float64)
		access, _ := rule["access"].(string)
		matching = append(matching, r{prio, access})
	}
	if len(matching) == 0 {
		return true // Azure's defaults admit the VNet
	}
	sort.Slice(matching, func(i, j int) bool { return matching[i].prio < matching[j].prio })
	return matching[0].access == "Allow"
}

// rulePortCovers reports whether an NSG rule's destination ports hold port.
func rulePortCovers(rule map[string]any, port int) bool {
	ranges := append(stringsAt(rule, "destinationPortRange"), stringsAt(rule, "destinationPortRanges")...)
	for _, pr := range ranges {
		if pr == "*" {
			return true
		}
		var lo, hi int
		if n, _ := fmt.Sscanf(pr, "%d-%d", &lo, &hi); n == 2 {
			if lo <= port && port <= hi {
				return true
			}
			continue
		}
		if n, _ := fmt.Sscanf(pr, "%d", &lo); n == 1 && lo == port {
			return true
		}
	}
	return false
}

func unquoteBracket(s string) string { return strings.ReplaceAll(s, "]]", "]") }

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// byID is the record of an ID, case-insensitively.
func byID(all []*Record, id string) *Record {
	for _, r := range all {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

// OutputString reads a string output of a resource: what `az ... show`
// answers (an identity's principalId).
func (c *Cloud) OutputString(id, key string) (string, error) {
	r, err := c.Get(id)
	if err != nil {
		return "", err
	}
	if r == nil {
		return "", fmt.Errorf("ResourceNotFound: %s", id)
	}
	return outputString(r, key), nil
}

// AddDirectoryReader is the Entra step that gives a principal (a SQL
// server's identity) the Directory Readers role.
func (c *Cloud) AddDirectoryReader(principal string) error {
	return c.AddGroupMember(directoryReaders, principal)
}
