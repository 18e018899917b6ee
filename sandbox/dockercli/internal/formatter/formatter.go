package formatter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// Format keys of --format, as in the docker CLI.
const (
	TableFormatKey     = "table"
	RawFormatKey       = "raw"
	JSONFormatKey      = "json"
	DefaultQuietFormat = "{{.ID}}"
	JSONFormat         = "{{json .}}"
)

// TemplateFuncs are the functions every --format template gets.
var TemplateFuncs = template.FuncMap{
	"json": func(v any) string {
		buf := &bytes.Buffer{}
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(err)
		}
		return strings.TrimSpace(buf.String())
	},
	"split":    strings.Split,
	"join":     strings.Join,
	"title":    titleASCII,
	"lower":    strings.ToLower,
	"upper":    strings.ToUpper,
	"pad":      padWithSpace,
	"truncate": truncateWithLength,
}

// headerFuncs replace TemplateFuncs when rendering a table header, so a
// column written as {{upper .Names}} is still titled NAMES.
var headerFuncs = template.FuncMap{
	"json":     func(v string) string { return v },
	"split":    func(v string, _ string) string { return v },
	"join":     func(v string, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

// titleASCII upper-cases the first letter of each word (the docker CLI
// uses the deprecated strings.Title, ASCII only in practice).
func titleASCII(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		defer func() { prev = r }()
		if unicode.IsSpace(prev) || prev == '-' || prev == '_' {
			return unicode.ToTitle(r)
		}
		return r
	}, s)
}

func padWithSpace(source string, prefix, suffix int) string {
	if source == "" {
		return source
	}
	return strings.Repeat(" ", prefix) + source + strings.Repeat(" ", suffix)
}

func truncateWithLength(source string, length int) string {
	if len(source) < length {
		return source
	}
	return source[:length]
}

// ParseTemplate parses a --format template with the docker CLI's
// template functions (json, split, join, title, lower, upper, pad,
// truncate).
func ParseTemplate(format string) (*template.Template, error) {
	return template.New("").Funcs(TemplateFuncs).Parse(format)
}

// Header maps field names to column titles; its Label method
// titles `{{.Label "com.example.x"}}` columns as the docker CLI does.
type Header map[string]string

func (Header) Label(name string) string {
	n := strings.Split(name, ".")
	return strings.NewReplacer("-", " ", "_", " ").Replace(n[len(n)-1])
}

// IsTable reports whether a --format value asks for a table.
func IsTable(f string) bool { return strings.HasPrefix(f, TableFormatKey) }

// finalFormat turns a --format value into the template to execute:
// without the "table" prefix, "json" expanded, and the \t and \n escapes
// users type on the command line made real.
func finalFormat(f string) string {
	switch {
	case IsTable(f):
		f = f[len(TableFormatKey):]
	case f == JSONFormatKey:
		f = JSONFormat
	}
	f = strings.Trim(f, " ")
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(f)
}

// Write renders rows to out with a --format value: "table ..." formats
// get a header line (from header) and aligned columns, "json" one JSON
// object per line, anything else is a Go template applied per row.
func Write(out io.Writer, format string, header Header, rows []any) error {
	tmpl, err := ParseTemplate(finalFormat(format))
	if err != nil {
		return fmt.Errorf("template parsing error: %w", err)
	}
	var buf bytes.Buffer
	for _, row := range rows {
		if err := tmpl.Execute(&buf, row); err != nil {
			return fmt.Errorf("template parsing error: %w", err)
		}
		buf.WriteString("\n")
	}
	if !IsTable(format) {
		_, err := buf.WriteTo(out)
		return err
	}
	var hdr bytes.Buffer
	_ = tmpl.Funcs(headerFuncs).Execute(&hdr, header)
	tw := NewTableWriter(out)
	_, _ = hdr.WriteTo(tw)
	_, _ = tw.Write([]byte("\n"))
	_, _ = buf.WriteTo(tw)
	return tw.Flush()
}

// TableWriter aligns tab-separated cells like the docker CLI's tabwriter:
// minimum width 10, padding 3, and column widths measured in terminal
// cells (so wide characters line up) rather than in runes.
type TableWriter struct {
	out io.Writer
	buf bytes.Buffer
}

// NewTableWriter returns a TableWriter printing to out on Flush.
func NewTableWriter(out io.Writer) *TableWriter { return &TableWriter{out: out} }

// Write buffers tab-separated cells.
func (t *TableWriter) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes the aligned table.
func (t *TableWriter) Flush() error {
	text := t.buf.String()
	t.buf.Reset()
	if isASCIIOrNarrow(text) {
		tw := tabwriter.NewWriter(t.out, 10, 1, 3, ' ', 0)
		if _, err := io.WriteString(tw, text); err != nil {
			return err
		}
		return tw.Flush()
	}
	return writeWideTable(t.out, text)
}

func isASCIIOrNarrow(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && runewidth.RuneWidth(r) != 1 {
			return false
		}
	}
	return true
}

// writeWideTable is the tabwriter layout (a column's width is the widest
// cell plus padding over the run of adjacent lines that have that column)
// with widths measured in display cells.
func writeWideTable(out io.Writer, text string) error {
	text = strings.TrimSuffix(text, "\n")
	lines := strings.Split(text, "\n")
	cells := make([][]string, len(lines))
	for i, l := range lines {
		cells[i] = strings.Split(l, "\t")
	}
	var sb strings.Builder
	for line := range cells {
		row := cells[line]
		for col := 0; col < len(row)-1; col++ {
			lo, hi := line, line+1
			for lo > 0 && col < len(cells[lo-1])-1 {
				lo--
			}
			for hi < len(cells) && col < len(cells[hi])-1 {
				hi++
			}
			width := 10
			for l := lo; l < hi; l++ {
				if w := runewidth.StringWidth(cells[l][col]) + 3; w > width {
					width = w
				}
			}
			sb.WriteString(row[col])
			sb.WriteString(strings.Repeat(" ", width-runewidth.StringWidth(row[col])))
		}
		sb.WriteString(row[len(row)-1])
		sb.WriteString("\n")
	}
	_, err := io.WriteString(out, sb.String())
	return err
}

// Ellipsis shortens s to maxWidth display cells, ending with "…".
func Ellipsis(s string, maxWidth int) string {
	if maxWidth <= 0 {
		return ""
	}
	rs := []rune(s)
	if maxWidth == 1 {
		return string(rs[0])
	}
	if len(s) == utf8.RuneCountInString(s) {
		if len(s) <= maxWidth {
			return s
		}
		return string(rs[:maxWidth-1]) + "…"
	}
	var display []int
	w := 0
	for _, r := range rs {
		w += runewidth.RuneWidth(r)
		display = append(display, w)
	}
	if w <= maxWidth {
		return s
	}
	for i := range display {
		if display[i] <= maxWidth-1 && display[i+1] > maxWidth-1 {
			return string(rs[:i+1]) + "…"
		}
	}
	return s
}

// MarshalMethods renders a row for {{json .}}: every exported method
// without arguments and with one result becomes a key, the way the docker
// CLI's formatter marshals its contexts.
func MarshalMethods(x any) ([]byte, error) {
	v := reflect.ValueOf(x)
	t := v.Type()
	m := map[string]any{}
	for i := 0; i < v.NumMethod(); i++ {
		meth := t.Method(i)
		fn := v.Method(i)
		if meth.Name == "MarshalJSON" || fn.Type().NumIn() != 0 || fn.Type().NumOut() != 1 {
			continue
		}
		m[meth.Name] = fn.Call(nil)[0].Interface()
	}
	return json.Marshal(m)
}
