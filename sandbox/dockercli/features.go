package dockercli

import (
	"errors"
	"fmt"

	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/versions"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Some flags exist only on newer daemons, on one OS, or with experimental
// features. Like the docker CLI, boxlab's CLI hides them from --help when
// the daemon lacks them and refuses them when used. Flags carry the same
// annotations as in the docker CLI: "version" (minimum API version),
// "ostype" and "experimental".

// serverFeatures is what the daemon told us on /_ping.
type serverFeatures struct {
	apiVersion   string
	osType       string
	experimental bool
}

// features pings the daemon once. Unreachable daemons are assumed to be
// current Linux ones, so help shows every flag, as the docker CLI does.
func (c *dockerCLI) features() serverFeatures {
	if c.feat != nil {
		return *c.feat
	}
	f := serverFeatures{apiVersion: client.MaxAPIVersion, osType: "linux"}
	if api, err := c.client(); err == nil {
		if p, err := api.Ping(c.ctx, client.PingOptions{NegotiateAPIVersion: true}); err == nil {
			f.apiVersion = api.ClientVersion()
			if p.OSType != "" {
				f.osType = p.OSType
			}
			f.experimental = p.Experimental
		}
	}
	c.feat = &f
	return f
}

func annotated(f *pflag.Flag) bool {
	for _, k := range []string{"version", "ostype", "experimental"} {
		if _, ok := f.Annotations[k]; ok {
			return true
		}
	}
	return false
}

func annotation(f *pflag.Flag, key string) string {
	if v := f.Annotations[key]; len(v) == 1 {
		return v[0]
	}
	return ""
}

// hideUnsupportedFlags hides cmd's flags the daemon does not support.
func (c *dockerCLI) hideUnsupportedFlags(cmd *cobra.Command) {
	needed := false
	cmd.Flags().VisitAll(func(f *pflag.Flag) { needed = needed || annotated(f) })
	if !needed {
		return
	}
	feat := c.features()
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if v := annotation(f, "version"); v != "" && versions.LessThan(feat.apiVersion, v) {
			f.Hidden = true
		}
		if v := annotation(f, "ostype"); v != "" && v != feat.osType {
			f.Hidden = true
		}
		if _, ok := f.Annotations["experimental"]; ok && !feat.experimental {
			f.Hidden = true
		}
	})
}

// checkFlagsSupported refuses flags that were used but that the daemon
// does not support, with the docker CLI's messages.
func (c *dockerCLI) checkFlagsSupported(cmd *cobra.Command) error {
	var errs []error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Changed || !annotated(f) {
			return
		}
		feat := c.features()
		if v := annotation(f, "version"); v != "" && versions.LessThan(feat.apiVersion, v) {
			errs = append(errs, fmt.Errorf(`"--%s" requires API version %s, but the Docker daemon API version is %s`, f.Name, v, feat.apiVersion))
			return
		}
		if v := annotation(f, "ostype"); v != "" && v != feat.osType {
			errs = append(errs, fmt.Errorf(`"--%s" is only supported on a Docker daemon running on %s, but the Docker daemon is running on %s`, f.Name, v, feat.osType))
			return
		}
		if _, ok := f.Annotations["experimental"]; ok && !feat.experimental {
			errs = append(errs, fmt.Errorf(`"--%s" is only supported on a Docker daemon with experimental features enabled`, f.Name))
		}
	})
	for cur := cmd; cur != nil; cur = cur.Parent() {
		if v, ok := cur.Annotations["version"]; ok {
			if feat := c.features(); versions.LessThan(feat.apiVersion, v) {
				return fmt.Errorf("%s requires API version %s, but the Docker daemon API version is %s", cmd.CommandPath(), v, feat.apiVersion)
			}
		}
	}
	return errors.Join(errs...)
}

// annotate sets a docker CLI feature annotation on a flag.
func annotate(fl *pflag.FlagSet, name, key string, values ...string) {
	_ = fl.SetAnnotation(name, key, values)
}
