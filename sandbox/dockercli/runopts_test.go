package dockercli

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/spf13/pflag"
)

// parseRun parses `docker run` flags and arguments into a create request.
func parseRun(t *testing.T, args ...string) (*containerConfig, error) {
	t.Helper()
	fl := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fl.SetInterspersed(false)
	fl.Bool("help", false, "")
	copts := addContainerFlags(fl)
	if err := fl.Parse(args); err != nil {
		return nil, err
	}
	rest := fl.Args()
	copts.Image = rest[0]
	if len(rest) > 1 {
		copts.Args = rest[1:]
	}
	return copts.parse(fl)
}

func TestParseRunFlags(t *testing.T) {
	wd, _ := os.Getwd()
	port := network.MustParsePort
	cases := []struct {
		name  string
		args  []string
		check func(t *testing.T, c *containerConfig)
	}{
		{"command and args", []string{"img", "sh", "-c", "echo hi"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.Config.Cmd, []string{"sh", "-c", "echo hi"})
			eq(t, c.Config.Image, "img")
			eq(t, c.Config.AttachStdout && c.Config.AttachStderr && !c.Config.AttachStdin, true)
		}},
		{"-i attaches stdin and closes it with the client", []string{"-i", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.Config.OpenStdin && c.Config.AttachStdin && c.Config.StdinOnce, true)
		}},
		{"-a stdout only", []string{"-a", "STDOUT", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, []bool{c.Config.AttachStdin, c.Config.AttachStdout, c.Config.AttachStderr}, []bool{false, true, false})
		}},
		{"empty entrypoint resets the image's", []string{"--entrypoint", "", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.Config.Entrypoint, []string{""})
		}},
		{"no entrypoint flag keeps the image's", []string{"img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.Config.Entrypoint, []string(nil))
		}},
		{"volumes split into binds and anonymous volumes", []string{"-v", "/h:/c:ro", "-v", "./rel:/r", "-v", "named:/n", "-v", "/anon", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.HostConfig.Binds, []string{"/h:/c:ro", filepath.Join(wd, "rel") + ":/r", "named:/n"})
			eq(t, c.Config.Volumes, map[string]struct{}{"/anon": {}})
		}},
		{"ports", []string{"-p", "8080:80", "-p", "127.0.0.1::53/udp", "--expose", "7000-7001", "-P", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.Config.ExposedPorts, network.PortSet{port("80/tcp"): {}, port("53/udp"): {}, port("7000/tcp"): {}, port("7001/tcp"): {}})
			eq(t, c.HostConfig.PortBindings, network.PortMap{
				port("80/tcp"): {{HostPort: "8080"}},
				port("53/udp"): {{HostIP: netip.MustParseAddr("127.0.0.1")}},
			})
			eq(t, c.HostConfig.PublishAllPorts, true)
		}},
		{"restart policy with retries", []string{"--restart", "on-failure:5", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.HostConfig.RestartPolicy, container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 5})
		}},
		{"default restart policy is no", []string{"img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.HostConfig.RestartPolicy, container.RestartPolicy{Name: "no"})
		}},
		{"stop timeout and init only when given", []string{"img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.Config.StopTimeout == nil && c.HostConfig.Init == nil, true)
		}},
		{"stop timeout and init given", []string{"--stop-timeout", "0", "--init=false", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, *c.Config.StopTimeout, 0)
			eq(t, *c.HostConfig.Init, false)
		}},
		{"labels", []string{"-l", "a=b", "--label", "flag", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.Config.Labels, map[string]string{"a": "b", "flag": ""})
		}},
		{"later -e wins", []string{"-e", "A=1", "-e", "B=2", "-e", "A=3", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.Config.Env, []string{"B=2", "A=3"})
		}},
		{"tmpfs", []string{"--tmpfs", "/run:size=1m", "--tmpfs", "/x", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.HostConfig.Tmpfs, map[string]string{"/run": "size=1m", "/x": ""})
		}},
		{"mount", []string{"--mount", "type=bind,source=/a,target=/b,readonly", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.HostConfig.Mounts, []mount.Mount{{Type: mount.TypeBind, Source: "/a", Target: "/b", ReadOnly: true}})
		}},
		{"default network gets an endpoint, a plain named one does not", []string{"img"}, func(t *testing.T, c *containerConfig) {
			eq(t, len(c.NetworkingConfig.EndpointsConfig), 1)
			eq(t, c.HostConfig.NetworkMode, container.NetworkMode("default"))
		}},
		{"user network with alias", []string{"--network", "app", "--network-alias", "db", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.HostConfig.NetworkMode, container.NetworkMode("app"))
			eq(t, c.NetworkingConfig.EndpointsConfig["app"].Aliases, []string{"db"})
		}},
		{"resources", []string{"-m", "64m", "--pids-limit", "10", "--cpus", "0.5", "img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.HostConfig.Memory, int64(64<<20))
			eq(t, *c.HostConfig.PidsLimit, int64(10))
			eq(t, c.HostConfig.NanoCPUs, int64(5e8))
		}},
		{"dns fields are never null", []string{"img"}, func(t *testing.T, c *containerConfig) {
			eq(t, c.HostConfig.DNSSearch != nil && c.HostConfig.DNSOptions != nil && c.HostConfig.DNS != nil, true)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseRun(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestParseRunErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--rm", "--restart", "always", "img"}, "conflicting options: cannot specify both --restart and --rm"},
		{[]string{"-p", "foo", "img"}, "invalid containerPort: foo"},
		{[]string{"--expose", "1:2", "img"}, "invalid port format for --expose: 1:2"},
		{[]string{"--restart", "on-failure:x", "img"}, "invalid restart policy format: maximum retry count must be an integer"},
		{[]string{"--restart", ":1", "img"}, "invalid restart policy format: no policy provided before colon"},
		{[]string{"-e", "=x", "img"}, `invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x`},
		{[]string{"--mount", "type=tmpfs", "img"}, `invalid argument "type=tmpfs" for "--mount" flag: target is required`},
		{[]string{"--mount", "type=bind,src=/a,dst=/b,volume-nocopy", "img"}, `invalid argument "type=bind,src=/a,dst=/b,volume-nocopy" for "--mount" flag: cannot mix 'volume-*' options with mount type 'bind'`},
		{[]string{"-v", "a:b:c:d", "img"}, "invalid spec: a:b:c:d: too many colons"},
		{[]string{"-v", "a::b", "img"}, "invalid spec: a::b: empty section between colons"},
		{[]string{"--pid", "bogus", "img"}, "--pid: invalid PID mode"},
		{[]string{"--memory-swappiness", "101", "img"}, "invalid value: 101. Valid memory swappiness range is 0-100"},
		{[]string{"--no-healthcheck", "--health-cmd", "x", "img"}, "--no-healthcheck conflicts with --health-* options"},
		{[]string{"--mac-address", "zz", "img"}, "zz is not a valid mac address"},
		{[]string{"--network", "a", "--network", "host", "img"}, "conflicting options: cannot attach both user-defined and non-user-defined network-modes"},
		{[]string{"--network-alias", "x", "img"}, "network-scoped aliases are only supported for user-defined networks"},
		{[]string{"--device", "/dev/null", "img"}, "--device is not supported by boxlab's docker CLI yet"},
		{[]string{"--env-file", "/nonexistent/env", "img"}, "open /nonexistent/env: no such file or directory"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := parseRun(t, tc.args...)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestEnvFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "env")
	content := "\xEF\xBB\xBF# comment\n\n  LEADING=spaces ok\nEMPTY=\nFROMHOST\nMISSING_ON_HOST\nQUOTED=\"kept as is\"\n"
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FROMHOST", "h")
	got, err := readKVStrings([]string{f}, []string{"OVERRIDE=1"}, os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, got, []string{"LEADING=spaces ok", "EMPTY=", "FROMHOST=h", `QUOTED="kept as is"`, "OVERRIDE=1"})

	bad := filepath.Join(dir, "bad")
	_ = os.WriteFile(bad, []byte("=novar\n"), 0o644)
	if _, err := readKVStrings([]string{bad}, nil, nil); err == nil || err.Error() != "invalid env file ("+bad+"): no variable name on line '=novar'" {
		t.Errorf("got %v", err)
	}
}

func TestParseVolumeSpec(t *testing.T) {
	for spec, want := range map[string]volumeSpec{
		"/data":      {Type: mount.TypeVolume, Target: "/data"},
		"vol:/data":  {Type: mount.TypeVolume, Source: "vol", Target: "/data"},
		"/h:/c":      {Type: mount.TypeBind, Source: "/h", Target: "/c"},
		"./h:/c:ro":  {Type: mount.TypeBind, Source: "./h", Target: "/c"},
		"~/h:/c":     {Type: mount.TypeBind, Source: "~/h", Target: "/c"},
		"/h:/c:rw,z": {Type: mount.TypeBind, Source: "/h", Target: "/c"},
		"ab":         {Type: mount.TypeVolume, Target: "ab"},
	} {
		got, err := parseVolumeSpec(spec)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		eq(t, got, want)
	}
}

func eq[T any](t *testing.T, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}
