package render

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable quotes what a terminal would not show as itself (see
// printable), for commands that print names and messages outside a
// renderer, such as warnings on standard error.
func Printable(s string) string { return printable(s) }

// printable quotes what a terminal or a log viewer would not show as itself,
// so that a file name, key or message can neither break the
// one-line-per-finding format nor send escape sequences to a terminal:
// control characters (C0, DEL and C1, whose U+009B is a one-character CSI),
// invalid UTF-8, and the invisible format characters that reorder or hide
// text (bidi overrides, zero-width characters). They become \xNN or \uNNNN;
// everything else, backslashes included, is left alone, so that Windows
// paths and the Go-quoted values inside messages read as they are.
func printable(s string) string {
	if isPrintable(s) {
		return s
	}
	return escape(s, quoted)
}

// escape writes each rune of s for which bad holds, and each byte of
// invalid UTF-8, as \xNN (ASCII and bytes) or \uNNNN; the rest as it is.
func escape(s string, bad func(rune) bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && bad(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case bad(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			// Non-ASCII is rare in paths and messages: look closer.
			return isPrintableSlow(s)
		}
	}
	return true
}

func isPrintableSlow(s string) bool {
	for i, r := range s {
		if (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) || quoted(r) {
			return false
		}
	}
	return true
}

// quoted reports whether a rune is shown escaped: controls (Cc) and
// format characters (Cf: bidi controls, zero-width spaces and joiners, the
// byte-order mark), and the line and paragraph separators.
func quoted(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// printableLines quotes each line of a multi-line text, keeping the line
// breaks (a diff in a message is several lines on purpose); a carriage
// return is quoted like any other control, so it cannot rewrite the line.
func printableLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = printable(l)
	}
	return lines
}

// printableOutputLines is printableLines for what a function printed, which
// keeps its tabs: Lambda's own log lines separate their fields with tabs
// ("time\trequest id\tINFO\tmessage"), and a tab can neither break a line
// nor move the cursor anywhere but along it.
func printableOutputLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if !isPrintable(strings.ReplaceAll(l, "\t", " ")) {
			lines[i] = escape(l, func(r rune) bool { return r != '\t' && quoted(r) })
		}
	}
	return lines
}

// xmlText makes a string safe for XML 1.0, which cannot hold most control
// characters even as references: encoding/xml would turn them into U+FFFD
// and lose them. They are quoted as printable quotes them; tab, newline and
// carriage return, which XML allows, stay as they are.
func xmlText(s string) string {
	clean := true
	for _, r := range s {
		if !xmlChar(r) {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	return escape(s, func(r rune) bool { return !xmlChar(r) })
}

// xmlChar is the Char production of XML 1.0 (section 2.2).
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
