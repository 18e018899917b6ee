package toolbox

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func init() {
	Register(&Applet{
		Name:  "date",
		Usage: "date [OPTIONS] [+FMT] [[-s] TIME]",
		Help: `Display time (using +FMT), or set time

	-u		Work in UTC (don't convert to local time)
	[-s] TIME	Set time to TIME (not supported by the boxlab toolbox)
	-d TIME		Display TIME, not 'now'
	-D FMT		FMT (strptime format) for -d TIME conversion
	-r FILE		Display last modification time of FILE
	-R		Output RFC-2822 date
	-I[SPEC]	Output ISO-8601 date
			SPEC=date (default), hours, minutes, seconds or ns

Recognized TIME formats:
	@seconds_since_1970
	hh:mm[:ss]
	[YYYY.]MM.DD-hh:mm[:ss]
	YYYY-MM-DD hh:mm[:ss]
	YYYY-MM-DDThh:mm[:ss]
	MMDDhhmm[[YY]YY][.ss]`,
		Run: date,
	})
}

func date(c *Context, args []string) int {
	// -I takes an optional attached SPEC, which getopt cannot express.
	iso, isoSpec := false, "date"
	var rest []string
	for _, a := range args {
		if strings.HasPrefix(a, "-I") {
			iso = true
			if a != "-I" {
				isoSpec = a[2:]
			}
			continue
		}
		rest = append(rest, a)
	}
	o, operands, ok := c.getopt(rest, "uRd:D:r:s:", nil)
	if !ok {
		return 1
	}
	loc := time.Local
	if o.on('u') {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	t := now
	format := ""
	var setTo string
	for _, op := range operands {
		if strings.HasPrefix(op, "+") {
			format = op[1:]
		} else {
			setTo = op
		}
	}
	if o.on('s') {
		setTo = o.val('s')
	}
	switch {
	case o.on('d'):
		var err error
		if o.on('D') {
			t, err = strptime(o.val('d'), o.val('D'), loc)
		} else {
			t, err = parseDate(o.val('d'), now, loc)
		}
		if err != nil {
			c.Errorf("invalid date '%s'", o.val('d'))
			return 1
		}
	case o.on('r'):
		st, err := os.Stat(o.val('r'))
		if err != nil {
			c.Errorf("%s", pathErr(o.val('r'), err))
			return 1
		}
		t = st.ModTime().In(loc)
	case setTo != "":
		if _, err := parseDate(setTo, now, loc); err != nil {
			c.Errorf("invalid date '%s'", setTo)
			return 1
		}
		c.Errorf("can't set date: setting the clock is not supported by the boxlab toolbox")
		return 1
	}
	switch {
	case format != "":
	case o.on('R'):
		format = "%a, %d %b %Y %H:%M:%S %z"
	case iso:
		switch isoSpec {
		case "date", "":
			format = "%Y-%m-%d"
		case "hours":
			format = "%Y-%m-%dT%H%:z"
		case "minutes":
			format = "%Y-%m-%dT%H:%M%:z"
		case "seconds":
			format = "%Y-%m-%dT%H:%M:%S%:z"
		case "ns":
			format = "%Y-%m-%dT%H:%M:%S,%N%:z"
		default:
			c.Errorf("invalid argument '%s' for -I", isoSpec)
			return 1
		}
	default:
		format = "%a %b %e %H:%M:%S %Z %Y"
	}
	fmt.Fprintln(c.Stdout, strftime(format, t))
	return 0
}

// parseDate reads the TIME formats busybox's date -d accepts.
func parseDate(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "@") {
		n, err := strconv.ParseInt(s[1:], 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		return time.Unix(n, 0).In(loc), nil
	}
	layouts := []string{
		"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04",
		"2006-01-02", "2006.01.02-15:04:05", "2006.01.02-15:04", "01.02-15:04:05", "01.02-15:04",
		"15:04:05", "15:04", "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05Z07:00",
		"Mon Jan _2 15:04:05 MST 2006", "Mon, 02 Jan 2006 15:04:05 -0700",
	}
	for _, l := range layouts {
		t, err := time.ParseInLocation(l, s, loc)
		if err != nil {
			continue
		}
		switch {
		case !strings.Contains(l, "2006") && !strings.Contains(l, "01"):
			// Time of day only: today.
			t = time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
		case !strings.Contains(l, "2006"):
			t = time.Date(now.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
		}
		return t, nil
	}
	// MMDDhhmm[[CC]YY][.ss]
	main, secs, _ := strings.Cut(s, ".")
	if len(main) == 8 || len(main) == 10 || len(main) == 12 {
		if _, err := strconv.Atoi(main); err == nil {
			num := func(a, b int) int { n, _ := strconv.Atoi(main[a:b]); return n }
			year := now.Year()
			switch len(main) {
			case 10:
				year = 2000 + num(8, 10)
				if year > 2068 {
					year -= 100
				}
			case 12:
				year = num(8, 12)
			}
			sec := 0
			if secs != "" {
				sec, _ = strconv.Atoi(secs)
			}
			return time.Date(year, time.Month(num(0, 2)), num(2, 4), num(4, 6), num(6, 8), sec, 0, loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date")
}

// strptime parses s with a C strptime format (the common conversions).
func strptime(s, format string, loc *time.Location) (time.Time, error) {
	var layout strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			layout.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			layout.WriteString("2006")
		case 'y':
			layout.WriteString("06")
		case 'm':
			layout.WriteString("01")
		case 'd':
			layout.WriteString("02")
		case 'e':
			layout.WriteString("_2")
		case 'H':
			layout.WriteString("15")
		case 'M':
			layout.WriteString("04")
		case 'S':
			layout.WriteString("05")
		case 'b', 'h':
			layout.WriteString("Jan")
		case 'B':
			layout.WriteString("January")
		case 'a':
			layout.WriteString("Mon")
		case 'A':
			layout.WriteString("Monday")
		case 'p':
			layout.WriteString("PM")
		case 'z':
			layout.WriteString("-0700")
		case 'Z':
			layout.WriteString("MST")
		case 'T':
			layout.WriteString("15:04:05")
		case 'D':
			layout.WriteString("01/02/06")
		case 'F':
			layout.WriteString("2006-01-02")
		case 's':
			n, err := strconv.ParseInt(s, 10, 64)
			return time.Unix(n, 0).In(loc), err
		case '%':
			layout.WriteByte('%')
		default:
			return time.Time{}, fmt.Errorf("unsupported conversion %%%c", format[i])
		}
	}
	return time.ParseInLocation(layout.String(), s, loc)
}

// strftime formats t like C's strftime, with glibc's flags - _ 0 ^ and
// the %:z form.
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		pad := byte(0) // 0: the conversion's default
		upper := false
		for i < len(format) && strings.IndexByte("-_0^#", format[i]) >= 0 {
			switch format[i] {
			case '-', '_', '0':
				pad = format[i]
			case '^':
				upper = true
			}
			i++
		}
		colon := false
		if i < len(format) && format[i] == ':' {
			colon = true
			i++
		}
		if i >= len(format) {
			b.WriteByte('%')
			break
		}
		num := func(n, width int, def byte) string {
			p := def
			if pad != 0 {
				p = pad
			}
			s := strconv.Itoa(n)
			switch p {
			case '-':
				return s
			case '_':
				return fmt.Sprintf("%*d", width, n)
			}
			return fmt.Sprintf("%0*d", width, n)
		}
		var s string
		_, isoWeek := t.ISOWeek()
		isoYear, _ := t.ISOWeek()
		switch format[i] {
		case 'a':
			s = t.Format("Mon")
		case 'A':
			s = t.Format("Monday")
		case 'b', 'h':
			s = t.Format("Jan")
		case 'B':
			s = t.Format("January")
		case 'c':
			s = strftime("%a %b %e %H:%M:%S %Y", t)
		case 'C':
			s = num(t.Year()/100, 2, '0')
		case 'd':
			s = num(t.Day(), 2, '0')
		case 'D':
			s = strftime("%m/%d/%y", t)
		case 'e':
			s = num(t.Day(), 2, '_')
		case 'F':
			s = strftime("%Y-%m-%d", t)
		case 'g':
			s = num(isoYear%100, 2, '0')
		case 'G':
			s = strconv.Itoa(isoYear)
		case 'H':
			s = num(t.Hour(), 2, '0')
		case 'I':
			s = num((t.Hour()+11)%12+1, 2, '0')
		case 'j':
			s = num(t.YearDay(), 3, '0')
		case 'k':
			s = num(t.Hour(), 2, '_')
		case 'l':
			s = num((t.Hour()+11)%12+1, 2, '_')
		case 'm':
			s = num(int(t.Month()), 2, '0')
		case 'M':
			s = num(t.Minute(), 2, '0')
		case 'n':
			s = "\n"
		case 'N':
			s = fmt.Sprintf("%09d", t.Nanosecond())
		case 'p':
			s = t.Format("PM")
		case 'P':
			s = strings.ToLower(t.Format("PM"))
		case 'r':
			s = strftime("%I:%M:%S %p", t)
		case 'R':
			s = strftime("%H:%M", t)
		case 's':
			s = strconv.FormatInt(t.Unix(), 10)
		case 'S':
			s = num(t.Second(), 2, '0')
		case 't':
			s = "\t"
		case 'T':
			s = strftime("%H:%M:%S", t)
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			s = strconv.Itoa(wd)
		case 'U':
			s = num((t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
		case 'V':
			s = num(isoWeek, 2, '0')
		case 'w':
			s = strconv.Itoa(int(t.Weekday()))
		case 'W':
			s = num((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
		case 'x':
			s = strftime("%m/%d/%y", t)
		case 'X':
			s = strftime("%H:%M:%S", t)
		case 'y':
			s = num(t.Year()%100, 2, '0')
		case 'Y':
			s = strconv.Itoa(t.Year())
		case 'z':
			if colon {
				s = t.Format("-07:00")
			} else {
				s = t.Format("-0700")
			}
		case 'Z':
			s = t.Format("MST")
		case '%':
			s = "%"
		default:
			s = "%" + string(format[i])
		}
		if upper {
			s = strings.ToUpper(s)
		}
		b.WriteString(s)
	}
	return b.String()
}
