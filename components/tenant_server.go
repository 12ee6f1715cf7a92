// The KPAX server's configuration on both runtimes, and on VMs the bootstrap
// script and the CustomScript extension that run it. Promise: a VM tenant
// serves the same KPAX server as a container tenant, with no secret in its
// configuration.

package components

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/compute/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The KPAX server's configuration contract is the same on both runtimes: a
// Container App gets these variables from its template, a VM from the env
// file its bootstrap writes. Secrets are never among them.

// serverVar is one environment variable of the KPAX server.
type serverVar struct {
	name  string
	value pulumi.StringInput
}

// serverEnv is the server's configuration: where it is served, and the
// tenant's own database, storage and vault, which it reaches with the tenant
// identity (AZURE_CLIENT_ID).
func (b *tenantBuilder) serverEnv() []serverVar {
	server := b.p.SQLServers[b.t.Database.Server]
	return []serverVar{
		{"KPAX_TENANT", pulumi.String(b.t.Name)},
		{"KPAX_URL", pulumi.String("https://" + tenantFQDN(b.t, b.region.DNSZone))},
		{"KPAX_PORT", pulumi.String(strconv.Itoa(appPort))},
		{"AZURE_CLIENT_ID", b.identity.ClientId},
		// Public-cloud SQL host name of the shared server.
		{"KPAX_DB_SERVER", pulumi.Sprintf("%s.database.windows.net", server.Name)},
		{"KPAX_DB_NAME", b.database.Name},
		{"KPAX_STORAGE_ACCOUNT", b.account.Name},
		{"KPAX_FILE_SHARE", pulumi.String(tenantFileShareName)},
		// The one container whose blobs are copied to the tenant's second
		// account (tenant_blobcopy.go): blobs elsewhere have no copy.
		{"KPAX_BLOB_CONTAINER", pulumi.String(tenantBlobContainerName)},
		{"KPAX_KEY_VAULT_URL", b.vault.Properties.VaultUri()},
		// Where the tenant's file share is mounted, in the app's volume
		// and on a VM alike.
		{"KPAX_DATA_DIR", pulumi.String(appFilesDir)},
	}
}

// serverBootstrap is what a VM needs to run the KPAX server: the image, the
// registry and the client ID of the platform identity that may pull from
// it, the Entra tenant both identities belong to, the file share and the
// vault secret of its key, and the server's configuration as plain values.
type serverBootstrap struct {
	Tenant       string
	Registry     string
	Image        string
	PullClientID string
	// EntraTenant is the directory of the identities (ACR's token exchange
	// names it: github.com/Azure/acr docs/AAD-OAuth.md).
	EntraTenant string
	// ClientID is the tenant identity's client ID: it reads the share's
	// key from the tenant's vault.
	ClientID       string
	StorageAccount string
	Share          string
	// KeySecretURL is the versionless URL of the vault secret that holds
	// the share's key.
	KeySecretURL string
	Env          [][2]string
}

// script is the VM's bootstrap, run as root by the CustomScript extension
// when the VM is created and again whenever the script changes (a new
// server image, a new configuration). Every step is idempotent: the share is
// mounted once (fstab), and the service is restarted on the image just
// pulled.
func (s serverBootstrap) script() (string, error) {
	for _, kv := range s.Env {
		if strings.ContainsAny(kv[0]+kv[1], "\n\r\x00") || strings.Contains(kv[0], "=") {
			return "", fmt.Errorf("server variable %q: names hold no '=', values no line breaks", kv[0])
		}
	}
	var env strings.Builder
	for _, kv := range s.Env {
		env.WriteString(kv[0] + "=" + kv[1] + "\n")
	}
	r := strings.NewReplacer(
		"@TENANT@", s.Tenant,
		"@REGISTRY@", shellQuote(s.Registry),
		"@IMAGE@", shellQuote(s.Image),
		"@PULL_CLIENT_ID@", shellQuote(s.PullClientID),
		"@ENTRA_TENANT@", shellQuote(s.EntraTenant),
		"@CLIENT_ID@", shellQuote(s.ClientID),
		"@ACCOUNT@", shellQuote(s.StorageAccount),
		"@SHARE@", shellQuote(s.Share),
		"@KEY_SECRET_URL@", shellQuote(s.KeySecretURL),
		"@DATA_DIR@", appFilesDir,
		"@ENV@", env.String(),
	)
	return r.Replace(serverScriptTemplate), nil
}

// encoded is the script as the CustomScript extension takes it: base64.
func (s serverBootstrap) encoded() (string, error) {
	sc, err := s.script()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString([]byte(sc)), nil
}

// shellQuote quotes s for bash: single quotes, each inner one closed,
// escaped and reopened.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// The unit runs the server with host networking: it listens on the VM's
// address, where the gateway's backend pool sends traffic (the VM subnet's
// NSG admits the gateway subnet on that port), and it reaches the instance
// metadata service for the tenant identity's tokens as the VM does.
//
// The registry login trades an Entra token of the pull identity, from the
// instance metadata service, for an ACR refresh token (the documented
// oauth2/exchange flow), so no credential is stored anywhere.
const serverScriptTemplate = `#!/bin/bash
# KPAX server on a VM of tenant @TENANT@. Written by kpax-cloud and run as
# root by the CustomScript extension; edits here are overwritten.
set -euo pipefail

registry=@REGISTRY@
image=@IMAGE@
pull_client_id=@PULL_CLIENT_ID@
entra_tenant=@ENTRA_TENANT@
client_id=@CLIENT_ID@
account=@ACCOUNT@
share=@SHARE@
key_secret_url=@KEY_SECRET_URL@
data=@DATA_DIR@

# First boot runs unattended upgrades, which hold the package manager: wait
# for its lock, and retry what fails while it is held.
retry() {
  for _ in $(seq 1 30); do
    "$@" && return 0
    sleep 20
  done
  return 1
}
if ! command -v podman >/dev/null || ! command -v mount.cifs >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  retry apt-get -o DPkg::Lock::Timeout=600 update -q
  retry apt-get -o DPkg::Lock::Timeout=600 install -y -q podman cifs-utils
fi

# A new identity and its role grants take minutes to reach the metadata
# service, the vault and the registry: retried, like the package manager.
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
token() { # token <client id> <resource>
  curl -sSf -H Metadata:true \
    "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=$2&client_id=$1" \
    | json_field access_token
}

# The KPAX files live on the tenant's file share, the same for every VM and
# backed up daily to the region's vault. It is mounted over SMB 3.1.1 with
# encryption through its private endpoint, with the account key that the
# tenant identity reads from the tenant's vault (identity-based SMB needs a
# domain, which a managed identity has not).
mount_share() {
  local vault_token key
  vault_token=$(token "$client_id" https://vault.azure.net) || return 1
  key=$(curl -sSf -H "Authorization: Bearer $vault_token" "$key_secret_url?api-version=7.4" | json_field value) || return 1
  install -d -m 0700 /etc/kpax
  (umask 077 && printf 'username=%s\npassword=%s\n' "$account" "$key" > /etc/kpax/files.cred)
  mkdir -p "$data"
  local source="//$account.file.core.windows.net/$share"
  grep -q "^$source " /etc/fstab || echo "$source $data cifs vers=3.1.1,seal,credentials=/etc/kpax/files.cred,dir_mode=0770,file_mode=0660,serverino,nosharesock,actimeo=30,_netdev,nofail 0 0" >> /etc/fstab
  mountpoint -q "$data" || mount "$data"
}
retry mount_share
pull() {
  local aad_token acr_token
  aad_token=$(token "$pull_client_id" https://management.azure.com/) || return 1
  acr_token=$(curl -sSf -X POST \
    --data-urlencode grant_type=access_token \
    --data-urlencode "service=$registry" \
    --data-urlencode "tenant=$entra_tenant" \
    --data-urlencode "access_token=$aad_token" \
    "https://$registry/oauth2/exchange" | json_field refresh_token) || return 1
  printf '%s' "$acr_token" | podman login --username 00000000-0000-0000-0000-000000000000 --password-stdin "$registry" || return 1
  podman pull "$image"
}
retry pull

install -d -m 0750 /etc/kpax
cat > /etc/kpax/kpax.env <<'KPAX_ENV'
@ENV@KPAX_ENV
chmod 0640 /etc/kpax/kpax.env

cat > /etc/systemd/system/kpax-server.service <<KPAX_UNIT
[Unit]
Description=KPAX server
Wants=network-online.target
After=network-online.target
RequiresMountsFor=$data

[Service]
ExecStartPre=-/usr/bin/podman rm --force kpax-server
ExecStart=/usr/bin/podman run --rm --name kpax-server --network host --env-file /etc/kpax/kpax.env --volume $data:$data $image
ExecStop=/usr/bin/podman stop --time 30 kpax-server
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
KPAX_UNIT
systemctl daemon-reload
systemctl enable kpax-server.service
systemctl restart kpax-server.service
`

// serverExtension runs the KPAX server on a VM: the CustomScript extension
// runs the bootstrap above when the VM is created and again
// whenever the script changes, so a new server image in the tenant file
// rolls out in place, VM by VM. The script is public: it holds names, never
// a secret (the server reads its signing key from the tenant's vault).
func (b *tenantBuilder) serverExtension(logical string, vm *compute.VirtualMachine, after pulumi.Resource) error {
	if b.serverScript == nil {
		vars := b.serverEnv()
		vars = append(vars, serverVar{"KPAX_SECRET_KEY_NAME", pulumi.String(secretAppKey)})
		fixed := []any{b.p.RegistryPullClientID, b.identity.TenantId, b.identity.ClientId, b.account.Name, b.secretURI(secretStorageKey)}
		values := append([]any(nil), fixed...)
		for _, v := range vars {
			values = append(values, v.value)
		}
		script := pulumi.All(values...).ApplyT(func(resolved []any) (string, error) {
			bs := serverBootstrap{
				Tenant: b.t.Name, Registry: b.p.RegistryServer, Image: b.t.VM.ServerImage,
				PullClientID: resolved[0].(string), EntraTenant: resolved[1].(string), ClientID: resolved[2].(string),
				StorageAccount: resolved[3].(string), Share: tenantFileShareName, KeySecretURL: resolved[4].(string),
			}
			for i, v := range vars {
				bs.Env = append(bs.Env, [2]string{v.name, resolved[len(fixed)+i].(string)})
			}
			return bs.encoded()
		}).(pulumi.StringOutput)
		b.serverScript = &script
	}
	// One VM at a time: each server waits for the previous VM's, so an
	// upgrade restarts one VM while the gateway's probe keeps traffic on
	// the others.
	deps, err := b.appDependencies()
	if err != nil {
		return err
	}
	deps = append(deps, after, b.storageKeySecret)
	deps = append(deps, b.previousServer()...)
	ext, err := compute.NewVirtualMachineExtension(b.ctx, logical+"-kpax-server", &compute.VirtualMachineExtensionArgs{
		VmExtensionName:         pulumi.String("kpax-server"),
		VmName:                  vm.Name,
		ResourceGroupName:       b.rg.Name,
		Location:                b.location,
		Publisher:               pulumi.String("Microsoft.Azure.Extensions"),
		Type:                    pulumi.String("CustomScript"),
		TypeHandlerVersion:      pulumi.String("2.1"),
		AutoUpgradeMinorVersion: pulumi.Bool(true),
		Settings:                pulumi.Map{"script": *b.serverScript},
		Tags:                    b.tags,
	}, b.child(pulumi.DependsOn(deps))...)
	if err != nil {
		return err
	}
	b.lastServer = ext
	return nil
}

// previousServer is the server extension of the VM built before, which the
// next VM waits for: none for the first.
func (b *tenantBuilder) previousServer() []pulumi.Resource {
	if b.lastServer == nil {
		return nil
	}
	return []pulumi.Resource{b.lastServer}
}
