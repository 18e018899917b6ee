package toolbox

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors.
var (
	// errBackref says what RE2, Go's regexp engine, cannot do.
	errBackref = errors.New("back-references are not supported")
	// errInterrupted ends a parse when ^C cancels the line being typed.
	errInterrupted = errors.New("interrupted")
	// errFindUsage marks a find expression error that prints the usage.
	errFindUsage = errors.New("find usage")
)

// testError is a test usage error: busybox prints it and exits 2.
type testError string

func (e testError) Error() string { return string(e) }

// exprError is an expr failure: busybox prints it and exits 2.
type exprError string

func (e exprError) Error() string { return string(e) }

// errText is the C library's text for an error's errno ("No such file or
// directory"), which busybox prints; Go's texts are the same but for the
// lower-case first letter. Other errors print as they are.
func errText(err error) string {
	var errno syscall.Errno
	var sig signalErrno
	switch {
	case errors.As(err, &errno):
		return capitalize(errno.Error())
	case errors.As(err, &sig):
		return capitalize(sig.Error())
	}
	return err.Error()
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// signalErrno lets errText capitalize a signal's description like the C
// library's strsignal ("Terminated").
type signalErrno syscall.Signal

func (s signalErrno) Error() string { return syscall.Signal(s).String() }

// pathErr is busybox's "PATH: Error text" for a failed file operation.
func pathErr(path string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return path + ": " + errText(pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return path + ": " + errText(le.Err)
	}
	return path + ": " + errText(err)
}
