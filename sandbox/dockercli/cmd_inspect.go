package dockercli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/boxlab/boxlab/sandbox/dockercli/internal/formatter"
	"io"
	"reflect"
	"strings"
	"text/template"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

// inspectRef fetches one object: the typed value (what templates see
// first) and the daemon's raw JSON (what is printed, and what templates
// fall back to).
type inspectRef func(ref string) (typed any, raw []byte, err error)

// inspector prints inspect results like the docker CLI: an indented JSON
// array by default, compact JSON for "json", or one template line per
// object.
type inspector struct {
	out  io.Writer
	tmpl *template.Template
	json bool
	raws [][]byte
	buf  bytes.Buffer
}

func newInspector(out io.Writer, format string) (*inspector, error) {
	in := &inspector{out: out}
	switch format {
	case "":
	case "json":
		in.json = true
	default:
		t, err := formatter.ParseTemplate(format)
		if err != nil {
			return nil, statusError{StatusCode: 64, Status: fmt.Sprintf("template parsing error: %v", err)}
		}
		in.tmpl = t
	}
	return in, nil
}

func (in *inspector) add(typed any, raw []byte) error {
	if in.tmpl == nil {
		in.raws = append(in.raws, raw)
		return nil
	}
	var b bytes.Buffer
	if err := in.tmpl.Execute(&b, templateView(typed)); err != nil {
		// The typed value lacks fields the daemon may send (older or newer
		// API); retry on the raw JSON, where a missing key is an error.
		var m any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if derr := dec.Decode(&m); derr != nil {
			return fmt.Errorf("unable to read inspect data: %w", derr)
		}
		addLegacyDefaults(m, typed)
		b.Reset()
		if err := in.tmpl.Option("missingkey=error").Execute(&b, m); err != nil {
			return fmt.Errorf("template parsing error: %w", err)
		}
	}
	in.buf.Write(b.Bytes())
	in.buf.WriteByte('\n')
	return nil
}

func (in *inspector) flush() error {
	if in.tmpl != nil {
		if in.buf.Len() == 0 {
			_, err := io.WriteString(in.out, "\n")
			return err
		}
		_, err := in.buf.WriteTo(in.out)
		return err
	}
	if len(in.raws) == 0 {
		_, err := io.WriteString(in.out, "[]\n")
		return err
	}
	joined := append([]byte("["), bytes.Join(in.raws, []byte(","))...)
	joined = append(joined, ']')
	var out bytes.Buffer
	var err error
	if in.json {
		err = json.Compact(&out, joined)
	} else {
		err = json.Indent(&out, joined, "", "    ")
	}
	if err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = out.WriteTo(in.out)
	return err
}

// legacyFields are fields the docker CLI v28's API types still had and
// newer daemons no longer send. A v28 CLI prints their zero value (the
// field exists in its struct); so does boxlab's, by adding them to the
// raw object a template falls back to. The most used one by far:
// {{.NetworkSettings.IPAddress}}.
var legacyFields = map[reflect.Type]map[string]map[string]any{
	reflect.TypeFor[container.InspectResponse](): {
		"Config":     {"MacAddress": ""},
		"HostConfig": {"KernelMemory": json.Number("0"), "KernelMemoryTCP": json.Number("0")},
		"NetworkSettings": {
			"Bridge": "", "EndpointID": "", "Gateway": "", "GlobalIPv6Address": "",
			"GlobalIPv6PrefixLen": json.Number("0"), "IPAddress": "", "IPPrefixLen": json.Number("0"),
			"IPv6Gateway": "", "MacAddress": "", "HairpinMode": false, "LinkLocalIPv6Address": "",
			"LinkLocalIPv6PrefixLen": json.Number("0"), "SecondaryIPAddresses": nil, "SecondaryIPv6Addresses": nil,
		},
	},
	reflect.TypeFor[image.InspectResponse](): {
		"": {"Container": "", "ContainerConfig": nil, "DockerVersion": "", "Parent": "", "VirtualSize": json.Number("0")},
	},
}

func addLegacyDefaults(raw any, typed any) {
	top, ok := raw.(map[string]any)
	if !ok || typed == nil {
		return
	}
	for path, fields := range legacyFields[reflect.TypeOf(typed)] {
		obj := top
		if path != "" {
			if obj, ok = top[path].(map[string]any); !ok {
				continue
			}
		}
		for k, v := range fields {
			if _, present := obj[k]; !present {
				obj[k] = v
			}
		}
	}
}

// runInspect inspects every reference, prints what was found and returns
// the joined errors with exit status 1.
func runInspect(out io.Writer, refs []string, format string, get inspectRef) error {
	in, err := newInspector(out, format)
	if err != nil {
		return err
	}
	var errs []error
	for _, ref := range refs {
		typed, raw, err := get(ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := in.add(typed, raw); err != nil {
			errs = append(errs, err)
		}
	}
	if err := in.flush(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return statusError{StatusCode: 1, Status: err.Error()}
	}
	return nil
}

func inspectContainer(c *dockerCLI, api *client.Client, size bool) inspectRef {
	return func(ref string) (any, []byte, error) {
		res, err := api.ContainerInspect(c.ctx, ref, client.ContainerInspectOptions{Size: size})
		if err != nil {
			return nil, nil, err
		}
		return res.Container, res.Raw, nil
	}
}

func inspectImage(c *dockerCLI, api *client.Client) inspectRef {
	return func(ref string) (any, []byte, error) {
		var raw bytes.Buffer
		res, err := api.ImageInspect(c.ctx, ref, client.ImageInspectWithRawResponse(&raw))
		if err != nil {
			return nil, nil, err
		}
		return res.InspectResponse, raw.Bytes(), nil
	}
}

var inspectTypes = []string{"config", "container", "image", "network", "node", "plugin", "secret", "service", "task", "volume"}

func newInspectCommand(c *dockerCLI) *cobra.Command {
	var (
		format, objType string
		size            bool
	)
	cmd := &cobra.Command{
		Use:   "inspect [OPTIONS] NAME|ID [NAME|ID...]",
		Short: "Return low-level information on Docker objects",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("type") && objType == "" {
				return fmt.Errorf(`type is empty: must be one of "%s"`, strings.Join(inspectTypes, `", "`))
			}
			if objType != "" && !contains(inspectTypes, objType) {
				return fmt.Errorf(`unknown type: %q: must be one of "%s"`, objType, strings.Join(inspectTypes, `", "`))
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			byType := []struct {
				name string
				get  inspectRef
			}{
				{"container", inspectContainer(c, api, size)},
				{"image", inspectImage(c, api)},
				{"network", func(ref string) (any, []byte, error) {
					res, err := api.NetworkInspect(c.ctx, ref, client.NetworkInspectOptions{})
					return res.Network, res.Raw, err
				}},
				{"volume", func(ref string) (any, []byte, error) {
					res, err := api.VolumeInspect(c.ctx, ref, client.VolumeInspectOptions{})
					return res.Volume, res.Raw, err
				}},
				{"plugin", func(ref string) (any, []byte, error) {
					res, err := api.PluginInspect(c.ctx, ref, client.PluginInspectOptions{})
					return res.Plugin, res.Raw, err
				}},
			}
			return runInspect(c.out, args, format, func(ref string) (any, []byte, error) {
				for _, t := range byType {
					if objType != "" && objType != t.name {
						continue
					}
					typed, raw, err := t.get(ref)
					if err != nil {
						if objType == "" && isSkippable(err) {
							continue
						}
						return nil, nil, err
					}
					if size && t.name != "container" {
						fmt.Fprintln(c.err, "WARNING: --size ignored for", t.name)
					}
					return typed, raw, nil
				}
				switch objType {
				case "config", "node", "secret", "service", "task":
					return nil, nil, errNotSupported("docker inspect --type " + objType)
				}
				return nil, nil, fmt.Errorf("Error: No such object: %s", ref)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&format, "format", "f", "", inspectFormatHelp)
	fl.StringVar(&objType, "type", "", "Only inspect objects of the given type")
	fl.BoolVarP(&size, "size", "s", false, "Display total file sizes if the type is container")
	return cmd
}

func isSkippable(err error) bool {
	return cerrdefs.IsNotFound(err) ||
		strings.Contains(err.Error(), "not supported") ||
		strings.Contains(err.Error(), "invalid reference format")
}

func newContainerInspectCommand(c *dockerCLI) *cobra.Command {
	var (
		format string
		size   bool
	)
	cmd := &cobra.Command{
		Use:   "inspect [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Display detailed information on one or more containers",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			return runInspect(c.out, args, format, inspectContainer(c, api, size))
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", inspectFormatHelp)
	cmd.Flags().BoolVarP(&size, "size", "s", false, "Display total file sizes")
	return cmd
}

func newImageInspectCommand(c *dockerCLI) *cobra.Command {
	var format, platform string
	cmd := &cobra.Command{
		Use:   "inspect [OPTIONS] IMAGE [IMAGE...]",
		Short: "Display detailed information on one or more images",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if platform != "" {
				return errNotSupported("docker image inspect --platform")
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			return runInspect(c.out, args, format, inspectImage(c, api))
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", inspectFormatHelp)
	cmd.Flags().StringVar(&platform, "platform", "", `Inspect a specific platform of the multi-platform image.
If the image or the server is not multi-platform capable, the command will error out if the platform does not match.
'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)`)
	annotate(cmd.Flags(), "platform", "version", "1.49")
	return cmd
}
