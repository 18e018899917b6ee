package dockercli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/boxlab/boxlab/sandbox/dockercli/internal/formatter"
	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

const formatHelp = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`

const inspectFormatHelp = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`

// parallel runs op for every name (up to 50 at once, like the docker
// CLI) and returns the results in argument order.
func parallel(ctx context.Context, names []string, op func(ctx context.Context, name string) error) []error {
	errs := make([]error, len(names))
	sem := make(chan struct{}, 50)
	done := make(chan struct{})
	for i, n := range names {
		go func() {
			sem <- struct{}{}
			errs[i] = op(ctx, n)
			<-sem
			done <- struct{}{}
		}()
	}
	for range names {
		<-done
	}
	return errs
}

// printEach prints each name whose operation succeeded and joins the
// errors, the output of docker stop/kill/rm/pause/....
func printEach(out io.Writer, names []string, errs []error) error {
	var failed []error
	for i, n := range names {
		if errs[i] != nil {
			failed = append(failed, errs[i])
			continue
		}
		fmt.Fprintln(out, n)
	}
	return errors.Join(failed...)
}

func newPsCommand(c *dockerCLI, use string, aliases []string) *cobra.Command {
	var (
		quiet, size, all, noTrunc, latest bool
		last                              int
		format                            string
		filter                            = newFilterOpt()
	)
	cmd := &cobra.Command{
		Use:     use,
		Aliases: aliases,
		Short:   "List containers",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			if format == "" {
				format = c.config().PsFormat
			} else if quiet {
				fmt.Fprint(c.err, "WARNING: Ignoring custom format, because both --format and --quiet are set.\n")
			}
			opts := client.ContainerListOptions{All: all, Limit: last, Size: size, Filters: filter.f}
			if latest && last == -1 {
				opts.Limit = 1
			}
			if format != "" {
				tmpl, err := formatter.ParseTemplate(format)
				if err != nil {
					return fmt.Errorf("failed to parse template: %w", err)
				}
				probe := &formatter.ContainerContext{}
				if err := tmpl.Execute(io.Discard, probe); err != nil {
					return fmt.Errorf("failed to execute template: %w", err)
				}
				if _, used := probe.FieldsUsed["Size"]; used && !quiet && !opts.Size && !cmd.Flags().Changed("size") {
					opts.Size = true
				}
			}
			res, err := api.ContainerList(c.ctx, opts)
			if err != nil {
				return err
			}
			rows := make([]any, 0, len(res.Items))
			for _, ctr := range res.Items {
				rows = append(rows, formatter.NewContainerContext(ctr, !noTrunc))
			}
			return formatter.Write(c.out, formatter.ContainerFormat(format, quiet, opts.Size), formatter.ContainerHeader, rows)
		},
		Annotations: map[string]string{"category-top": "3", "aliases": "docker container ls, docker container list, docker container ps, docker ps"},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&quiet, "quiet", "q", false, "Only display container IDs")
	fl.BoolVarP(&size, "size", "s", false, "Display total file sizes")
	fl.BoolVarP(&all, "all", "a", false, "Show all containers (default shows just running)")
	fl.BoolVar(&noTrunc, "no-trunc", false, "Don't truncate output")
	fl.BoolVarP(&latest, "latest", "l", false, "Show the latest created container (includes all states)")
	fl.IntVarP(&last, "last", "n", -1, "Show n last created containers (includes all states)")
	fl.StringVar(&format, "format", "", formatHelp)
	fl.VarP(filter, "filter", "f", "Filter output based on conditions provided")
	return cmd
}

func newRmCommand(c *dockerCLI) *cobra.Command {
	var volumes, link, force bool
	cmd := &cobra.Command{
		Use:     "rm [OPTIONS] CONTAINER [CONTAINER...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more containers",
		Args:    requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			errs := parallel(c.ctx, args, func(ctx context.Context, name string) error {
				name = strings.Trim(name, "/")
				if name == "" {
					return errEmptyContainerName
				}
				_, err := api.ContainerRemove(ctx, name, client.ContainerRemoveOptions{RemoveVolumes: volumes, RemoveLinks: link, Force: force})
				return err
			})
			var failed []error
			for i, name := range args {
				if errs[i] != nil {
					if force && cerrdefs.IsNotFound(errs[i]) {
						fmt.Fprintln(c.err, errs[i])
						continue
					}
					failed = append(failed, errs[i])
					continue
				}
				fmt.Fprintln(c.out, name)
			}
			return errors.Join(failed...)
		},
		Annotations: map[string]string{"aliases": "docker container rm, docker container remove, docker rm"},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&volumes, "volumes", "v", false, "Remove anonymous volumes associated with the container")
	fl.BoolVarP(&link, "link", "l", false, "Remove the specified link")
	fl.BoolVarP(&force, "force", "f", false, "Force the removal of a running container (uses SIGKILL)")
	return cmd
}

// newStopLikeCommand builds docker stop and docker restart, which share
// their flags (-s, -t and the deprecated --time).
func newStopLikeCommand(c *dockerCLI, name, short string, restart bool) *cobra.Command {
	var (
		signal  string
		timeout int
	)
	cmd := &cobra.Command{
		Use:   name + " [OPTIONS] CONTAINER [CONTAINER...]",
		Short: short,
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("time") && cmd.Flags().Changed("timeout") {
				return errTimeAndTimeout
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			var t *int
			if cmd.Flags().Changed("timeout") || cmd.Flags().Changed("time") {
				t = &timeout
			}
			if restart {
				var failed []error
				for _, n := range args {
					if _, err := api.ContainerRestart(c.ctx, n, client.ContainerRestartOptions{Signal: signal, Timeout: t}); err != nil {
						failed = append(failed, err)
						continue
					}
					fmt.Fprintln(c.out, n)
				}
				return errors.Join(failed...)
			}
			errs := parallel(c.ctx, args, func(ctx context.Context, n string) error {
				_, err := api.ContainerStop(ctx, n, client.ContainerStopOptions{Signal: signal, Timeout: t})
				return err
			})
			return printEach(c.out, args, errs)
		},
		Annotations: map[string]string{"aliases": "docker container " + name + ", docker " + name},
	}
	fl := cmd.Flags()
	fl.StringVarP(&signal, "signal", "s", "", "Signal to send to the container")
	fl.IntVarP(&timeout, "timeout", "t", 0, "Seconds to wait before killing the container")
	fl.IntVar(&timeout, "time", 0, "Seconds to wait before killing the container (deprecated: use --timeout)")
	_ = fl.MarkDeprecated("time", "use --timeout instead")
	return cmd
}

func newStopCommand(c *dockerCLI) *cobra.Command {
	return newStopLikeCommand(c, "stop", "Stop one or more running containers", false)
}

func newRestartCommand(c *dockerCLI) *cobra.Command {
	return newStopLikeCommand(c, "restart", "Restart one or more containers", true)
}

func newKillCommand(c *dockerCLI) *cobra.Command {
	var signal string
	cmd := &cobra.Command{
		Use:   "kill [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Kill one or more running containers",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			errs := parallel(c.ctx, args, func(ctx context.Context, n string) error {
				_, err := api.ContainerKill(ctx, n, client.ContainerKillOptions{Signal: signal})
				return err
			})
			return printEach(c.out, args, errs)
		},
		Annotations: map[string]string{"aliases": "docker container kill, docker kill"},
	}
	cmd.Flags().StringVarP(&signal, "signal", "s", "", "Signal to send to the container")
	return cmd
}

// newPauseLikeCommand builds docker pause and docker unpause.
func newPauseLikeCommand(c *dockerCLI, name, short string, pause bool) *cobra.Command {
	return &cobra.Command{
		Use:   name + " CONTAINER [CONTAINER...]",
		Short: short,
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			errs := parallel(c.ctx, args, func(ctx context.Context, n string) error {
				if pause {
					_, err := api.ContainerPause(ctx, n, client.ContainerPauseOptions{})
					return err
				}
				_, err := api.ContainerUnpause(ctx, n, client.ContainerUnpauseOptions{})
				return err
			})
			return printEach(c.out, args, errs)
		},
		Annotations: map[string]string{"aliases": "docker container " + name + ", docker " + name},
	}
}

func newPauseCommand(c *dockerCLI) *cobra.Command {
	return newPauseLikeCommand(c, "pause", "Pause all processes within one or more containers", true)
}

func newUnpauseCommand(c *dockerCLI) *cobra.Command {
	return newPauseLikeCommand(c, "unpause", "Unpause all processes within one or more containers", false)
}

func newWaitCommand(c *dockerCLI) *cobra.Command {
	return &cobra.Command{
		Use:   "wait CONTAINER [CONTAINER...]",
		Short: "Block until one or more containers stop, then print their exit codes",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			var failed []error
			for _, n := range args {
				w := api.ContainerWait(c.ctx, n, client.ContainerWaitOptions{})
				select {
				case r := <-w.Result:
					fmt.Fprintf(c.out, "%d\n", r.StatusCode)
				case err := <-w.Error:
					failed = append(failed, err)
				}
			}
			return errors.Join(failed...)
		},
		Annotations: map[string]string{"aliases": "docker container wait, docker wait"},
	}
}

func newTopCommand(c *dockerCLI) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "top CONTAINER [ps OPTIONS]",
		Short: "Display the running processes of a container",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			res, err := api.ContainerTop(c.ctx, args[0], client.ContainerTopOptions{Arguments: args[1:]})
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(c.out, 20, 1, 3, ' ', 0)
			fmt.Fprintln(w, strings.Join(res.Titles, "\t"))
			for _, p := range res.Processes {
				fmt.Fprintln(w, strings.Join(p, "\t"))
			}
			return w.Flush()
		},
		Annotations: map[string]string{"aliases": "docker container top, docker top"},
	}
	cmd.Flags().SetInterspersed(false)
	return cmd
}

func newRenameCommand(c *dockerCLI) *cobra.Command {
	return &cobra.Command{
		Use:   "rename CONTAINER NEW_NAME",
		Short: "Rename a container",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			oldName, newName := strings.TrimSpace(args[0]), strings.TrimSpace(args[1])
			if oldName == "" || newName == "" {
				return errors.New("Error: Neither old nor new names may be empty")
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			if _, err := api.ContainerRename(c.ctx, oldName, client.ContainerRenameOptions{NewName: newName}); err != nil {
				fmt.Fprintln(c.err, err)
				return fmt.Errorf("Error: failed to rename container named %s", oldName)
			}
			return nil
		},
		Annotations: map[string]string{"aliases": "docker container rename, docker rename"},
	}
}

func newContainerPruneCommand(c *dockerCLI) *cobra.Command {
	var force bool
	filter := newFilterOpt()
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove all stopped containers",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			if !force {
				ok, err := c.confirm("WARNING! This will remove all stopped containers.\nAre you sure you want to continue?")
				if err != nil {
					return err
				}
				if !ok {
					return cancelledError{errors.New("container prune has been cancelled")}
				}
			}
			res, err := api.ContainerPrune(c.ctx, client.ContainerPruneOptions{Filters: filter.f})
			if err != nil {
				return err
			}
			var reclaimed uint64
			if len(res.Report.ContainersDeleted) > 0 {
				out := "Deleted Containers:\n"
				for _, id := range res.Report.ContainersDeleted {
					out += id + "\n"
				}
				fmt.Fprintln(c.out, out)
				reclaimed = res.Report.SpaceReclaimed
			}
			fmt.Fprintln(c.out, "Total reclaimed space:", units.HumanSize(float64(reclaimed)))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Do not prompt for confirmation")
	cmd.Flags().Var(filter, "filter", `Provide filter values (e.g. "until=<timestamp>")`)
	cmd.Annotations = map[string]string{"version": "1.25"}
	return cmd
}

// confirm asks a yes/no question on stdout and reads the answer from
// stdin, like the docker CLI's prompt (anything but y/Y is "no").
func (c *dockerCLI) confirm(message string) (bool, error) {
	fmt.Fprint(c.out, message+" [y/N] ")
	answer := make(chan bool, 1)
	go func() {
		var line []byte
		buf := make([]byte, 1)
		for {
			n, err := c.in.Read(buf)
			if n == 1 {
				if buf[0] == '\n' {
					break
				}
				line = append(line, buf[0])
			}
			if err != nil {
				break
			}
		}
		answer <- strings.EqualFold(strings.TrimSpace(string(line)), "y")
	}()
	select {
	case <-c.ctx.Done():
		fmt.Fprint(c.out, "\n")
		return false, c.ctx.Err()
	case ok := <-answer:
		return ok, nil
	}
}

func newPortCommand(c *dockerCLI) *cobra.Command {
	return &cobra.Command{
		Use:   "port CONTAINER [PRIVATE_PORT[/PROTO]]",
		Short: "List port mappings or a specific mapping for the container",
		Args:  requiresRangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			res, err := api.ContainerInspect(c.ctx, args[0], client.ContainerInspectOptions{})
			if err != nil {
				return err
			}
			var ports network.PortMap
			if res.Container.NetworkSettings != nil {
				ports = res.Container.NetworkSettings.Ports
			}
			var out []string
			if len(args) == 2 {
				port, proto, _ := strings.Cut(args[1], "/")
				if proto == "" {
					proto = "tcp"
				}
				if _, err := strconv.ParseUint(port, 10, 16); err != nil {
					return fmt.Errorf("Error: invalid port (%s): %w", port, err)
				}
				p, err := network.ParsePort(port + "/" + proto)
				if err != nil {
					return err
				}
				bs := ports[p]
				if len(bs) == 0 {
					return fmt.Errorf("Error: No public port '%s' published for %s", args[1], args[0])
				}
				for _, b := range bs {
					out = append(out, hostPort(b))
				}
			} else {
				for p, bs := range ports {
					for _, b := range bs {
						out = append(out, fmt.Sprintf("%s -> %s", p, hostPort(b)))
					}
				}
			}
			if len(out) > 0 {
				sort.Slice(out, func(i, j int) bool { return naturalLess(out[i], out[j]) })
				fmt.Fprintln(c.out, strings.Join(out, "\n"))
			}
			return nil
		},
		Annotations: map[string]string{"aliases": "docker container port, docker port"},
	}
}

func hostPort(b network.PortBinding) string {
	ip := ""
	if b.HostIP.IsValid() {
		ip = b.HostIP.String()
	}
	return net.JoinHostPort(ip, b.HostPort)
}

// naturalLess orders strings with embedded numbers numerically
// ("8080/tcp" after "443/tcp"), as the docker CLI sorts port lists.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func newLogsCommand(c *dockerCLI) *cobra.Command {
	var (
		follow, timestamps, details bool
		since, until, tail          string
	)
	cmd := &cobra.Command{
		Use:   "logs [OPTIONS] CONTAINER",
		Short: "Fetch the logs of a container",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			res, err := api.ContainerInspect(c.ctx, args[0], client.ContainerInspectOptions{})
			if err != nil {
				return err
			}
			body, err := api.ContainerLogs(c.ctx, res.Container.ID, client.ContainerLogsOptions{
				ShowStdout: true, ShowStderr: true,
				Since: since, Until: until, Timestamps: timestamps,
				Follow: follow, Tail: tail, Details: details,
			})
			if err != nil {
				return err
			}
			defer body.Close()
			if res.Container.Config != nil && res.Container.Config.Tty {
				_, err = io.Copy(c.out, body)
			} else {
				_, err = demuxStream(c.out, c.err, body)
			}
			return err
		},
		Annotations: map[string]string{"aliases": "docker container logs, docker logs"},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&follow, "follow", "f", false, "Follow log output")
	fl.StringVar(&since, "since", "", `Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)`)
	fl.StringVar(&until, "until", "", `Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)`)
	fl.BoolVarP(&timestamps, "timestamps", "t", false, "Show timestamps")
	fl.BoolVar(&details, "details", false, "Show extra details provided to logs")
	fl.StringVarP(&tail, "tail", "n", "all", "Number of lines to show from the end of the logs")
	annotate(fl, "until", "version", "1.35")
	return cmd
}

// containerStateOK reports whether a container can be attached to, with
// the docker CLI's messages for the states that cannot.
func containerStateOK(s *container.State) error {
	switch {
	case s == nil || !s.Running:
		return errAttachStopped
	case s.Paused:
		return errAttachPaused
	case s.Restarting:
		return errAttachRestarting
	}
	return nil
}
