// Package components holds kpax-cloud's two Pulumi components and their
// parts, one file per part, so that the folder listing answers "where is X":
//
//   - RegionalCluster (cluster.go), a region's zone-redundant platform:
//     cluster_network.go, cluster_subnets.go, cluster_nsg.go, cluster_dns.go,
//     cluster_bastion.go, cluster_keyvault.go, cluster_backup.go,
//     cluster_containerapps.go, cluster_gateway.go, cluster_registry.go,
//     cluster_sql.go, and the cross-cutting cluster_monitoring.go,
//     cluster_lock.go, cluster_privateendpoint.go and cluster_identity.go.
//   - Tenant (tenant.go), one KPAX space: tenant_identity.go,
//     tenant_keyvault.go, tenant_storage.go, tenant_backup.go,
//     tenant_database.go, tenant_compute.go, tenant_containerapp.go,
//     tenant_vm.go, tenant_server.go, tenant_dns.go, and the cross-cutting
//     tenant_monitoring.go, tenant_lock.go and tenant_privateendpoint.go.
//
// Shared by both: platform.go (what the cluster hands to tenants), names.go
// (every Azure name), tags.go and roles.go.
package components
