package dockercli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/boxlab/boxlab/sandbox/dockercli/internal/formatter"
	cerrdefs "github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

func newImagesCommand(c *dockerCLI, use string, aliases []string) *cobra.Command {
	var (
		quiet, all, noTrunc, digests, tree bool
		format                             string
		filter                             = newFilterOpt()
	)
	cmd := &cobra.Command{
		Use:     use,
		Aliases: aliases,
		Short:   "List images",
		Args:    requiresMaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var match string
			if len(args) > 0 {
				match = args[0]
				filter.f.Add("reference", match)
			}
			if tree {
				return errNotSupported("docker images --tree")
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			res, err := api.ImageList(c.ctx, client.ImageListOptions{All: all, Filters: filter.f})
			if err != nil {
				return err
			}
			if format == "" {
				if f := c.config().ImagesFormat; f != "" && !quiet {
					format = f
				} else {
					format = formatter.TableFormatKey
				}
			}
			f := formatter.ImageFormat(format, quiet, digests)
			rows := formatter.ImageRows(res.Items, !noTrunc, digests, digests || strings.Contains(f, "{{.Digest}}"))
			if err := formatter.Write(c.out, f, formatter.ImageHeader, rows); err != nil {
				return err
			}
			if match != "" && len(res.Items) == 0 && cmd.CalledAs() == "images" {
				printAmbiguousHint(c.err, match)
			}
			return nil
		},
		Annotations: map[string]string{"category-top": "7", "aliases": "docker image ls, docker image list, docker images"},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&quiet, "quiet", "q", false, "Only show image IDs")
	fl.BoolVarP(&all, "all", "a", false, "Show all images (default hides intermediate images)")
	fl.BoolVar(&noTrunc, "no-trunc", false, "Don't truncate output")
	fl.BoolVar(&digests, "digests", false, "Show digests")
	fl.StringVar(&format, "format", "", formatHelp)
	fl.VarP(filter, "filter", "f", "Filter output based on conditions provided")
	fl.BoolVar(&tree, "tree", false, "List multi-platform images as a tree (EXPERIMENTAL)")
	annotate(fl, "tree", "version", "1.47")
	return cmd
}

// printAmbiguousHint helps a learner who typed `docker images ls`.
func printAmbiguousHint(w io.Writer, match string) {
	switch match {
	case "build", "history", "import", "inspect", "list", "load", "ls", "prune", "pull", "push", "rm", "save", "tag":
		fmt.Fprintf(w, "\nNo images found matching %q: did you mean \"docker image %[1]s\"?\n", match)
	}
}

func newPullCommand(c *dockerCLI) *cobra.Command {
	var (
		all, quiet, untrusted bool
		platform              string
	)
	cmd := &cobra.Command{
		Use:   "pull [OPTIONS] NAME[:TAG|@DIGEST]",
		Short: "Download an image from a registry",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := reference.ParseNormalizedNamed(args[0])
			switch {
			case err != nil:
				return err
			case all && !reference.IsNameOnly(ref):
				return errors.New("tag can't be used with --all-tags/-a")
			case !all && reference.IsNameOnly(ref):
				ref = reference.TagNameOnly(ref)
				if tagged, ok := ref.(reference.Tagged); ok && !quiet {
					fmt.Fprintln(c.out, "Using default tag:", tagged.Tag())
				}
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			opts := client.ImagePullOptions{All: all}
			if platform != "" {
				p, err := parsePlatform(platform)
				if err != nil {
					return err
				}
				opts.Platforms = []ocispec.Platform{p}
			}
			resp, err := api.ImagePull(c.ctx, reference.FamiliarString(ref), opts)
			if err != nil {
				return err
			}
			defer resp.Close()
			out := c.out
			if quiet {
				out = newOutStream(io.Discard)
			}
			if err := displayJSONMessages(resp, out); err != nil {
				return err
			}
			fmt.Fprintln(c.out, ref.String())
			return nil
		},
		Annotations: map[string]string{"category-top": "5", "aliases": "docker image pull, docker pull"},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all-tags", "a", false, "Download all tagged images in the repository")
	fl.BoolVarP(&quiet, "quiet", "q", false, "Suppress verbose output")
	fl.StringVar(&platform, "platform", os.Getenv("DOCKER_DEFAULT_PLATFORM"), "Set platform if server is multi-platform capable")
	annotate(fl, "platform", "version", "1.32")
	fl.BoolVar(&untrusted, "disable-content-trust", true, "Skip image verification")
	return cmd
}

func newRmiCommand(c *dockerCLI, use string, aliases []string) *cobra.Command {
	var (
		force, noPrune bool
		platforms      []string
	)
	cmd := &cobra.Command{
		Use:     use,
		Aliases: aliases,
		Short:   "Remove one or more images",
		Args:    requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			opts := client.ImageRemoveOptions{Force: force, PruneChildren: !noPrune}
			for _, p := range platforms {
				pl, err := parsePlatform(p)
				if err != nil {
					return err
				}
				opts.Platforms = append(opts.Platforms, pl)
			}
			fatal := false
			var errs []error
			for _, img := range args {
				res, err := api.ImageRemove(c.ctx, img, opts)
				if err != nil {
					if !cerrdefs.IsNotFound(err) {
						fatal = true
					}
					errs = append(errs, err)
					continue
				}
				for _, d := range res.Items {
					if d.Deleted != "" {
						fmt.Fprintln(c.out, "Deleted:", d.Deleted)
					} else {
						fmt.Fprintln(c.out, "Untagged:", d.Untagged)
					}
				}
			}
			if err := errors.Join(errs...); err != nil {
				if !force || fatal {
					return err
				}
				fmt.Fprintln(c.err, err)
			}
			return nil
		},
		Annotations: map[string]string{"aliases": "docker image rm, docker image remove, docker rmi"},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&force, "force", "f", false, "Force removal of the image")
	fl.BoolVar(&noPrune, "no-prune", false, "Do not delete untagged parents")
	fl.StringSliceVar(&platforms, "platform", nil, `Remove only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")`)
	annotate(fl, "platform", "version", "1.50")
	return cmd
}

func newTagCommand(c *dockerCLI) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Short: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			_, err = api.ImageTag(c.ctx, client.ImageTagOptions{Source: args[0], Target: args[1]})
			return err
		},
		Annotations: map[string]string{"aliases": "docker image tag, docker tag"},
	}
	cmd.Flags().SetInterspersed(false)
	return cmd
}
