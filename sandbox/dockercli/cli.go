package dockercli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"

	"github.com/moby/moby/client"
)

// dockerCLI is the state one invocation of the CLI works with: its
// streams, the global options and the API client, created on first use so
// that `--help` and flag errors never touch the daemon.
type dockerCLI struct {
	ctx context.Context
	in  *inStream
	out *outStream
	err *outStream

	hosts       []string
	configDir   string
	contextName string
	debug       bool
	tlsFlags    bool

	apiClient *client.Client
	cfg       *configFile
	feat      *serverFeatures
}

// configFile holds the parts of ~/.docker/config.json the CLI honours.
type configFile struct {
	PsFormat     string `json:"psFormat,omitempty"`
	ImagesFormat string `json:"imagesFormat,omitempty"`
	DetachKeys   string `json:"detachKeys,omitempty"`
}

func (c *dockerCLI) configDirectory() string {
	if c.configDir != "" {
		return c.configDir
	}
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".docker"
	}
	return filepath.Join(home, ".docker")
}

// config loads the client configuration once. A broken file is reported
// with Docker's warning and otherwise ignored.
func (c *dockerCLI) config() *configFile {
	if c.cfg != nil {
		return c.cfg
	}
	c.cfg = &configFile{}
	path := filepath.Join(c.configDirectory(), "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return c.cfg
	}
	if err := json.Unmarshal(b, c.cfg); err != nil {
		fmt.Fprintf(c.err, "WARNING: Error parsing config file (%s): %v\n", path, err)
		c.cfg = &configFile{}
	}
	return c.cfg
}

// client returns the API client, creating it on first use from DOCKER_HOST
// (or -H) with API version negotiation, as the docker CLI does.
func (c *dockerCLI) client() (*client.Client, error) {
	if c.apiClient != nil {
		return c.apiClient, nil
	}
	if err := c.checkEndpoint(); err != nil {
		return nil, err
	}
	opts := []client.Opt{client.FromEnv, client.WithUserAgent("Docker-Client/" + clientVersion + " (linux)")}
	host := os.Getenv(client.EnvOverrideHost)
	if len(c.hosts) == 1 {
		host = c.hosts[0]
		opts = append(opts, client.WithHost(host))
	}
	if host == "" {
		host = client.DefaultDockerHost
	}
	if u, err := client.ParseHostURL(host); err == nil && u.Scheme == "unix" {
		opts = append(opts, client.WithDialContext(dialDaemon(u.Host)))
	}
	api, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("Failed to initialize: unable to resolve docker endpoint: %w", err)
	}
	c.apiClient = api
	return api, nil
}

// checkEndpoint validates the global options that pick the daemon, with
// the docker CLI's messages.
func (c *dockerCLI) checkEndpoint() error {
	if len(c.hosts) > 1 {
		return errors.New("Failed to initialize: unable to resolve docker endpoint: Specify only one -H")
	}
	name := c.contextName
	if name == "" {
		name = os.Getenv("DOCKER_CONTEXT")
	}
	if name != "" && name != "default" {
		return fmt.Errorf("Failed to initialize: unable to resolve docker endpoint: context %q: context not found", name)
	}
	if c.tlsFlags {
		return errNotSupported("the --tls* flags (use DOCKER_TLS_VERIFY and DOCKER_CERT_PATH)")
	}
	host := os.Getenv(client.EnvOverrideHost)
	if len(c.hosts) == 1 {
		host = c.hosts[0]
	}
	if host != "" {
		if _, err := client.ParseHostURL(host); err != nil {
			return fmt.Errorf("Failed to initialize: unable to resolve docker endpoint: invalid bind address format: %s", host)
		}
	}
	return nil
}

// dialDaemon dials the daemon's unix socket. When nothing listens there
// it returns an error the client turns into the docker CLI v28 message
// "Cannot connect to the Docker daemon at ... Is the docker daemon
// running?" (the moby client otherwise reports a missing socket with a
// different, newer text).
func dialDaemon(socket string) func(ctx context.Context, _, _ string) (net.Conn, error) {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "unix", socket)
		if err != nil && (errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)) {
			return nil, &net.OpError{Op: "dial", Net: "unix", Addr: &net.UnixAddr{Name: socket, Net: "unix"}, Err: errNoDaemon}
		}
		return conn, err
	}
}

var errNoDaemon = errors.New("connect: connection refused")

// serverOSType reports the daemon's OS as advertised by /_ping.
func (c *dockerCLI) serverOSType(api *client.Client) string {
	p, err := api.Ping(c.ctx, client.PingOptions{})
	if err != nil || p.OSType == "" {
		return "linux"
	}
	return p.OSType
}
