package dockercli

import (
	"errors"
	"fmt"
	"github.com/boxlab/boxlab/sandbox/dockercli/internal/formatter"
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

const defaultVersionTemplate = `{{with .Client -}}
Client:{{if ne .Platform nil}}{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}{{end}}
 Version:	{{.Version}}
 API version:	{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Go version:	{{.GoVersion}}
 Git commit:	{{.GitCommit}}
 Built:	{{.BuildTime}}
 OS/Arch:	{{.Os}}/{{.Arch}}
 Context:	{{.Context}}
{{- end}}

{{- if ne .Server nil}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:	{{.Version}}
  API version:	{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:	{{index .Details "GoVersion"}}
  Git commit:	{{index .Details "GitCommit"}}
  Built:	{{index .Details "BuildTime"}}
  OS/Arch:	{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:	{{index .Details "Experimental"}}
  {{- else }}
  Version:	{{$component.Version}}
  {{- $detailsOrder := getDetailsOrder $component}}
  {{- range $key := $detailsOrder}}
  {{$key}}:	{{index $component.Details $key}}
   {{- end}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}`

type platformInfo struct {
	Name string `json:"Name,omitempty"`
}

// clientVersionInfo is the Client section of `docker version`.
type clientVersionInfo struct {
	Platform          *platformInfo `json:"Platform,omitempty"`
	Version           string        `json:"Version,omitempty"`
	APIVersion        string        `json:"ApiVersion,omitempty"`
	DefaultAPIVersion string        `json:"DefaultAPIVersion,omitempty"`
	GitCommit         string        `json:"GitCommit,omitempty"`
	GoVersion         string        `json:"GoVersion,omitempty"`
	Os                string        `json:"Os,omitempty"`
	Arch              string        `json:"Arch,omitempty"`
	BuildTime         string        `json:"BuildTime,omitempty"`
	Context           string        `json:"Context"`
}

type versionInfo struct {
	Client clientVersionInfo
	Server *system.VersionResponse
}

func newClientVersionInfo() clientVersionInfo {
	return clientVersionInfo{
		Platform:          &platformInfo{Name: "boxlab"},
		Version:           clientVersion,
		DefaultAPIVersion: client.MaxAPIVersion,
		GoVersion:         runtime.Version(),
		GitCommit:         gitCommit(),
		BuildTime:         buildTime(),
		Os:                runtime.GOOS,
		Arch:              runtime.GOARCH,
		Context:           "default",
	}
}

func reformatDate(s string) string {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.Format(time.ANSIC)
	}
	return s
}

func newVersionCommand(c *dockerCLI) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version [OPTIONS]",
		Short: "Show the Docker version information",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "":
				format = defaultVersionTemplate
			case formatter.JSONFormatKey:
				format = formatter.JSONFormat
			}
			tmpl, err := template.New("version").Funcs(formatter.TemplateFuncs).Funcs(template.FuncMap{"getDetailsOrder": detailsOrder}).Parse(format)
			if err != nil {
				return statusError{StatusCode: 64, Status: "template parsing error: " + err.Error()}
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			vd := versionInfo{Client: newClientVersionInfo()}
			_, _ = api.Ping(c.ctx, client.PingOptions{NegotiateAPIVersion: true})
			vd.Client.APIVersion = api.ClientVersion()
			sv, err := api.ServerVersion(c.ctx, client.ServerVersionOptions{})
			if err == nil {
				vd.Server = serverVersion(sv)
			}
			tw := tabwriter.NewWriter(c.out, 20, 1, 1, ' ', 0)
			terr := tmpl.Execute(tw, vd)
			_, _ = tw.Write([]byte("\n"))
			_ = tw.Flush()
			if err != nil {
				return err
			}
			return terr
		},
		Annotations: map[string]string{"category-top": "10"},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", inspectFormatHelp)
	return cmd
}

// serverVersion rebuilds the /version response for the template. The
// top-level build details come from the Engine component, which is where
// the daemon reports them too.
func serverVersion(sv client.ServerVersionResult) *system.VersionResponse {
	v := &system.VersionResponse{
		Platform:      system.PlatformInfo{Name: sv.Platform.Name},
		Version:       sv.Version,
		APIVersion:    sv.APIVersion,
		MinAPIVersion: sv.MinAPIVersion,
		Os:            sv.Os,
		Arch:          sv.Arch,
		Experimental:  sv.Experimental,
	}
	found := false
	for _, comp := range sv.Components {
		if comp.Name == "Engine" {
			found = true
			v.GitCommit = comp.Details["GitCommit"]
			v.GoVersion = comp.Details["GoVersion"]
			v.KernelVersion = comp.Details["KernelVersion"]
			v.BuildTime = comp.Details["BuildTime"]
			if bt, ok := comp.Details["BuildTime"]; ok {
				comp.Details["BuildTime"] = reformatDate(bt)
			}
		}
		v.Components = append(v.Components, comp)
	}
	if !found {
		v.Components = append(v.Components, system.ComponentVersion{
			Name:    "Engine",
			Version: sv.Version,
			Details: map[string]string{
				"ApiVersion":    sv.APIVersion,
				"MinAPIVersion": sv.MinAPIVersion,
				"Os":            sv.Os,
				"Arch":          sv.Arch,
				"Experimental":  strconv.FormatBool(sv.Experimental),
			},
		})
	}
	return v
}

func detailsOrder(v system.ComponentVersion) []string {
	out := make([]string, 0, len(v.Details))
	for k := range v.Details {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type clientInfo struct {
	Debug bool
	clientVersionInfo
	Plugins  []any
	Warnings []string
}

type dockerInfo struct {
	*system.Info `json:",omitempty"`
	ServerErrors []string    `json:",omitempty"`
	ClientInfo   *clientInfo `json:",omitempty"`
	ClientErrors []string    `json:",omitempty"`
}

func newInfoCommand(c *dockerCLI) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "info [OPTIONS]",
		Short: "Display system-wide information",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ci := &clientInfo{clientVersionInfo: newClientVersionInfo(), Debug: c.debug, Plugins: []any{}}
			info := dockerInfo{ClientInfo: ci}
			api, err := c.client()
			if err != nil {
				return err
			}
			var connErr error
			res, err := api.Info(c.ctx, client.InfoOptions{})
			switch {
			case err == nil:
				info.Info = &res.Info
			case client.IsErrConnectionFailed(err):
				connErr = err
			default:
				info.ServerErrors = append(info.ServerErrors, err.Error())
				if format != "" {
					fmt.Fprintln(c.err, err)
				}
			}
			if format == "" {
				return errors.Join(printInfo(c, info), connErr)
			}
			if format == formatter.JSONFormatKey {
				format = formatter.JSONFormat
			}
			tmpl, err := formatter.ParseTemplate(format)
			if err != nil {
				return statusError{StatusCode: 64, Status: "template parsing error: " + err.Error()}
			}
			if info.Info == nil {
				info.Info = &system.Info{}
			}
			terr := tmpl.Execute(c.out, info)
			fmt.Fprintln(c.out)
			return errors.Join(connErr, terr)
		},
		Annotations: map[string]string{"category-top": "12", "aliases": "docker system info, docker info"},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", inspectFormatHelp)
	return cmd
}

// printInfo prints `docker info` in the docker CLI's layout; sections that
// describe things boxlab has no notion of (swarm details, plugins) are
// printed only when the daemon reports them.
//
//nolint:gocyclo // a flat list of fields
func printInfo(c *dockerCLI, info dockerInfo) error {
	out := c.out
	fmt.Fprintln(out, "Client: boxlab")
	fmt.Fprintln(out, " Version:   ", info.ClientInfo.Version)
	fmt.Fprintln(out, " Context:   ", info.ClientInfo.Context)
	fmt.Fprintln(out, " Debug Mode:", info.ClientInfo.Debug)
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Server:")
	for _, e := range info.ServerErrors {
		fmt.Fprintln(c.err, "ERROR:", e)
	}
	i := info.Info
	if i == nil {
		if len(info.ServerErrors) > 0 {
			return errors.New("errors pretty printing info")
		}
		return nil
	}
	nonEmpty := func(label, value string) {
		if value != "" {
			fmt.Fprintln(out, label, value)
		}
	}
	fmt.Fprintln(out, " Containers:", i.Containers)
	fmt.Fprintln(out, "  Running:", i.ContainersRunning)
	fmt.Fprintln(out, "  Paused:", i.ContainersPaused)
	fmt.Fprintln(out, "  Stopped:", i.ContainersStopped)
	fmt.Fprintln(out, " Images:", i.Images)
	nonEmpty(" Server Version:", i.ServerVersion)
	nonEmpty(" Storage Driver:", i.Driver)
	for _, p := range i.DriverStatus {
		fmt.Fprintf(out, "  %s: %s\n", p[0], p[1])
	}
	nonEmpty(" Logging Driver:", i.LoggingDriver)
	nonEmpty(" Cgroup Driver:", i.CgroupDriver)
	nonEmpty(" Cgroup Version:", i.CgroupVersion)
	fmt.Fprintln(out, " Plugins:")
	fmt.Fprintln(out, "  Volume:", strings.Join(i.Plugins.Volume, " "))
	fmt.Fprintln(out, "  Network:", strings.Join(i.Plugins.Network, " "))
	if len(i.Plugins.Authorization) != 0 {
		fmt.Fprintln(out, "  Authorization:", strings.Join(i.Plugins.Authorization, " "))
	}
	fmt.Fprintln(out, "  Log:", strings.Join(i.Plugins.Log, " "))
	if len(i.CDISpecDirs) > 0 {
		fmt.Fprintln(out, " CDI spec directories:")
		for _, d := range i.CDISpecDirs {
			fmt.Fprintf(out, "  %s\n", d)
		}
	}
	fmt.Fprintln(out, " Swarm:", i.Swarm.LocalNodeState)
	if len(i.Runtimes) > 0 {
		names := make([]string, 0, len(i.Runtimes))
		for n := range i.Runtimes {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintln(out, " Runtimes:", strings.Join(names, " "))
		fmt.Fprintln(out, " Default Runtime:", i.DefaultRuntime)
	}
	var errs []error
	if i.OSType == "linux" {
		fmt.Fprintln(out, " Init Binary:", i.InitBinary)
		fmt.Fprintln(out, " containerd version:", i.ContainerdCommit.ID)
		fmt.Fprintln(out, " runc version:", i.RuncCommit.ID)
		fmt.Fprintln(out, " init version:", i.InitCommit.ID)
		if len(i.SecurityOptions) != 0 {
			if err := printSecurityOptions(out, i.SecurityOptions); err != nil {
				errs = append(errs, err)
			}
		}
	}
	nonEmpty(" Kernel Version:", i.KernelVersion)
	nonEmpty(" Operating System:", i.OperatingSystem)
	nonEmpty(" OSType:", i.OSType)
	nonEmpty(" Architecture:", i.Architecture)
	fmt.Fprintln(out, " CPUs:", i.NCPU)
	fmt.Fprintln(out, " Total Memory:", units.BytesSize(float64(i.MemTotal)))
	nonEmpty(" Name:", i.Name)
	nonEmpty(" ID:", i.ID)
	fmt.Fprintln(out, " Docker Root Dir:", i.DockerRootDir)
	fmt.Fprintln(out, " Debug Mode:", i.Debug)
	if i.Debug || c.debug {
		fmt.Fprintln(out, "  File Descriptors:", i.NFd)
		fmt.Fprintln(out, "  Goroutines:", i.NGoroutines)
		fmt.Fprintln(out, "  System Time:", i.SystemTime)
		fmt.Fprintln(out, "  EventsListeners:", i.NEventsListener)
	}
	nonEmpty(" HTTP Proxy:", i.HTTPProxy)
	nonEmpty(" HTTPS Proxy:", i.HTTPSProxy)
	nonEmpty(" No Proxy:", i.NoProxy)
	if len(i.Labels) > 0 {
		fmt.Fprintln(out, " Labels:")
		for _, l := range i.Labels {
			fmt.Fprintln(out, "  "+l)
		}
	}
	fmt.Fprintln(out, " Experimental:", i.ExperimentalBuild)
	if rc := i.RegistryConfig; rc != nil && (len(rc.InsecureRegistryCIDRs) > 0 || len(rc.IndexConfigs) > 0) {
		fmt.Fprintln(out, " Insecure Registries:")
		for _, ic := range rc.IndexConfigs {
			if !ic.Secure {
				fmt.Fprintln(out, "  "+ic.Name)
			}
		}
		for _, cidr := range rc.InsecureRegistryCIDRs {
			fmt.Fprintf(out, "  %s\n", cidr)
		}
	}
	if rc := i.RegistryConfig; rc != nil && len(rc.Mirrors) > 0 {
		fmt.Fprintln(out, " Registry Mirrors:")
		for _, m := range rc.Mirrors {
			fmt.Fprintln(out, "  "+m)
		}
	}
	fmt.Fprintln(out, " Live Restore Enabled:", i.LiveRestoreEnabled)
	if i.ProductLicense != "" {
		fmt.Fprintln(out, " Product License:", i.ProductLicense)
	}
	if len(i.DefaultAddressPools) > 0 {
		fmt.Fprintln(out, " Default Address Pools:")
		for _, p := range i.DefaultAddressPools {
			fmt.Fprintf(out, "   Base: %s, Size: %d\n", p.Base, p.Size)
		}
	}
	fmt.Fprintln(out)
	for _, w := range i.Warnings {
		fmt.Fprintln(c.err, w)
	}
	for _, e := range errs {
		fmt.Fprintln(c.err, "ERROR:", e)
	}
	if len(errs) > 0 {
		return errors.New("errors pretty printing info")
	}
	return nil
}

func printSecurityOptions(out io.Writer, opts []string) error {
	type kv struct{ k, v string }
	type secopt struct {
		name string
		opts []kv
	}
	var list []secopt
	for _, opt := range opts {
		if !strings.Contains(opt, "=") {
			list = append(list, secopt{name: opt})
			continue
		}
		var so secopt
		for _, s := range strings.Split(opt, ",") {
			k, v, ok := strings.Cut(s, "=")
			if !ok {
				return fmt.Errorf("invalid security option %q", s)
			}
			if k == "" || v == "" {
				return errors.New("invalid empty security option")
			}
			if k == "name" {
				so.name = v
				continue
			}
			so.opts = append(so.opts, kv{k, v})
		}
		list = append(list, so)
	}
	fmt.Fprintln(out, " Security Options:")
	for _, so := range list {
		fmt.Fprintln(out, "  "+so.name)
		for _, o := range so.opts {
			if o.k == "profile" {
				fmt.Fprintln(out, "   Profile:", o.v)
			}
		}
	}
	return nil
}

// rfc3339NanoFixed pads nanoseconds so event lines align.
const rfc3339NanoFixed = "2006-01-02T15:04:05.000000000Z07:00"

func newEventsCommand(c *dockerCLI) *cobra.Command {
	var since, until, format string
	filter := newFilterOpt()
	cmd := &cobra.Command{
		Use:   "events [OPTIONS]",
		Short: "Get real time events from the server",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var tmpl *template.Template
			if format != "" {
				f := format
				if f == formatter.JSONFormatKey {
					f = formatter.JSONFormat
				}
				t, err := formatter.ParseTemplate(f)
				if err == nil {
					err = t.Execute(io.Discard, &legacyEvent{})
				}
				if err != nil {
					return statusError{StatusCode: 64, Status: "Error parsing format: " + err.Error()}
				}
				tmpl = t
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			res := api.Events(c.ctx, client.EventsListOptions{Since: since, Until: until, Filters: filter.f})
			for {
				select {
				case ev := <-res.Messages:
					if tmpl != nil {
						err := tmpl.Execute(c.out, withLegacyFields(ev))
						fmt.Fprint(c.out, "\n")
						if err != nil {
							return err
						}
						continue
					}
					printEvent(c.out, ev)
				case err := <-res.Err:
					if errors.Is(err, io.EOF) {
						return nil
					}
					return err
				}
			}
		},
		Annotations: map[string]string{"aliases": "docker system events, docker events"},
	}
	fl := cmd.Flags()
	fl.StringVar(&since, "since", "", "Show all events created since timestamp")
	fl.StringVar(&until, "until", "", "Stream events until this timestamp")
	fl.VarP(filter, "filter", "f", "Filter output based on conditions provided")
	fl.StringVar(&format, "format", "", inspectFormatHelp)
	return cmd
}

// legacyEvent adds the deprecated status/id/from fields that the docker
// CLI v28 still shows in `docker events --format` output.
type legacyEvent struct {
	Status string `json:"status,omitempty"`
	ID     string `json:"id,omitempty"`
	From   string `json:"from,omitempty"`
	events.Message
}

func withLegacyFields(ev events.Message) legacyEvent {
	le := legacyEvent{Message: ev}
	switch ev.Type {
	case events.ContainerEventType:
		le.Status, le.ID, le.From = string(ev.Action), ev.Actor.ID, ev.Actor.Attributes["image"]
	case events.ImageEventType:
		le.Status, le.ID = string(ev.Action), ev.Actor.ID
	}
	return le
}

// printEvent prints "TIME TYPE ACTION ID (attr=value, ...)".
func printEvent(out io.Writer, ev events.Message) {
	switch {
	case ev.TimeNano != 0:
		fmt.Fprintf(out, "%s ", time.Unix(0, ev.TimeNano).Format(rfc3339NanoFixed))
	case ev.Time != 0:
		fmt.Fprintf(out, "%s ", time.Unix(ev.Time, 0).Format(rfc3339NanoFixed))
	}
	fmt.Fprintf(out, "%s %s %s", ev.Type, ev.Action, ev.Actor.ID)
	if len(ev.Actor.Attributes) > 0 {
		keys := make([]string, 0, len(ev.Actor.Attributes))
		for k := range ev.Actor.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		attrs := make([]string, 0, len(keys))
		for _, k := range keys {
			attrs = append(attrs, k+"="+ev.Actor.Attributes[k])
		}
		fmt.Fprintf(out, " (%s)", strings.Join(attrs, ", "))
	}
	fmt.Fprint(out, "\n")
}
