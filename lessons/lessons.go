package lessons

import (
	"bytes"
	"fmt"
	"io/fs"
	"sort"

	"github.com/yuin/goldmark"
	meta "github.com/yuin/goldmark-meta"
	"github.com/yuin/goldmark/parser"

	"github.com/boxlab/boxlab/content"
)

// Lesson is one lesson's front matter and source.
type Lesson struct {
	ID      string
	Title   string
	Summary string
	Order   int
	Source  []byte
}

// List returns the built-in lessons in course order.
func List() ([]Lesson, error) { return Load(content.Lessons, "lessons") }

// Load reads every .md file in dir of fsys.
func Load(fsys fs.FS, dir string) ([]Lesson, error) {
	paths, err := fs.Glob(fsys, dir+"/*.md")
	if err != nil {
		return nil, err
	}
	md := goldmark.New(goldmark.WithExtensions(meta.Meta))
	var out []Lesson
	for _, p := range paths {
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		ctx := parser.NewContext()
		if err := md.Convert(src, &bytes.Buffer{}, parser.WithContext(ctx)); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		fm, err := meta.TryGet(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: front matter: %w", p, err)
		}
		l := Lesson{Source: src}
		l.ID, _ = fm["id"].(string)
		l.Title, _ = fm["title"].(string)
		l.Summary, _ = fm["summary"].(string)
		l.Order, _ = fm["order"].(int)
		if l.ID == "" || l.Title == "" {
			return nil, fmt.Errorf("%s: front matter needs id and title", p)
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out, nil
}
