//go:build tools

// Package pulumi pins the Pulumi CLI the engine tests run: the module
// github.com/pulumi/pulumi/pkg/v3 at the version of the SDK in the main
// go.mod, in a module of its own so that pkg/v3 never enters the program's
// dependencies. The tests build it with
//
//	go build -C tools/pulumi -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.158.0" \
//	  -o <cache>/bin/pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
//
// (without the version, `pulumi version` prints nothing and the Automation
// API refuses the CLI).
package pulumi

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
