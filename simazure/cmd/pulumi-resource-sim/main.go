// Command pulumi-resource-sim is the simulated Azure's provider plugin. The
// engine tests install it three times, as pulumi-resource-azure-native,
// pulumi-resource-random and pulumi-resource-time in
// $PULUMI_HOME/plugins/resource-<pkg>-v<version>/;
// the name it is started under says which package it serves, and its folder
// which version.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"

	"github.com/kpax/kpax-cloud/simazure"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-resource-sim:", err)
		os.Exit(1)
	}
}

func run() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	pkg := strings.TrimPrefix(filepath.Base(exe), "pulumi-resource-")
	folder := filepath.Base(filepath.Dir(exe)) // resource-<pkg>-v<version>
	version, err := semver.ParseTolerant(strings.TrimPrefix(folder, "resource-"+pkg+"-v"))
	if err != nil {
		return fmt.Errorf("installed as %s: want the folder resource-%s-v<version>: %w", exe, pkg, err)
	}
	dir := os.Getenv(simazure.EnvCloud)
	if dir == "" {
		return fmt.Errorf("%s is not set: it names the simulated cloud's directory", simazure.EnvCloud)
	}
	cloud, err := simazure.Open(dir)
	if err != nil {
		return err
	}
	provider := simazure.NewProvider(pkg, version, cloud)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, plugin.NewProviderServer(provider))
			return nil
		},
	})
	if err != nil {
		return err
	}
	// The engine reads the port from the plugin's first line of output.
	fmt.Printf("%d\n", handle.Port)
	return <-handle.Done
}
