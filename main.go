// Command kpax-cloud is the Pulumi program: `pulumi up -s prod-<region>`.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/program"
)

func main() {
	pulumi.Run(program.Run)
}
