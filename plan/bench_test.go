package plan

import (
	"fmt"
	"testing"
)

// BenchmarkDescendantsPerTenant is what `kpax plan` and `kpax check` do
// once per tenant of a stack: list a tenant's resources. The synthetic plan
// has the program's shape at 1,000 tenants: a cluster of 70 resources and
// 44 resources per tenant, some of them one level deeper.
func BenchmarkDescendantsPerTenant(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p, tenants := syntheticPlan(n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, t := range tenants {
					if len(p.Descendants(t)) != 44 {
						b.Fatal("wrong subtree")
					}
				}
			}
			b.ReportMetric(float64(len(p.Resources)), "resources")
		})
	}
}

func syntheticPlan(n int) (*Plan, []*Resource) {
	p := &Plan{}
	add := func(name string, parent *Resource) *Resource { return appendResource(p, name, parent) }
	stack := add("stack", nil)
	cluster := add("cluster", stack)
	for i := 0; i < 70; i++ {
		add(fmt.Sprintf("cluster-%d", i), cluster)
	}
	var tenants []*Resource
	for t := 0; t < n; t++ {
		tenant := add(fmt.Sprintf("t%05d", t), stack)
		tenants = append(tenants, tenant)
		var last *Resource
		for i := 0; i < 44; i++ {
			parent := tenant
			if i%4 == 3 { // a lock or a zone group under its resource
				parent = last
			}
			last = add(fmt.Sprintf("t%05d-%d", t, i), parent)
		}
	}
	return p, tenants
}
