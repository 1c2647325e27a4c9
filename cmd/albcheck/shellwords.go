package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// shellWords splits a command line as bash would, for the curl commands
// browsers copy: 'single', "double" (\ escapes $ ` " \ and a newline),
// bash's $'ANSI-C' quoting, which Chrome's and Firefox's "Copy as cURL"
// use as soon as a value holds a quote or a control character, backslash
// escapes, and backslash-newline continuations. Nothing is expanded: a
// pasted command has no variables worth trusting.
//
// Written by hand after trying mvdan.cc/sh/v3 (v3.14.1), a complete bash
// parser: its expander leaves $'\cA' control escapes as they are and cuts
// a word at $'\0', as bash itself does, while a body copied from a browser
// must arrive with every byte the browser sent. Splitting is all that is
// needed here, and FuzzShellWords holds it to a byte-exact round trip.
func shellWords(line string) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
	)
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		case c == '\\':
			// A continuation joins lines without making a word.
			switch {
			case strings.HasPrefix(line[i+1:], "\r\n"):
				i += 3 // Windows line ends
			case i+1 < len(line) && line[i+1] == '\n':
				i += 2
			case i+1 < len(line):
				_, size := utf8.DecodeRuneInString(line[i+1:])
				cur.WriteString(line[i+1 : i+1+size])
				inWord = true
				i += 1 + size
			default:
				i++ // a lone backslash at the end: bash ignores it too
			}
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated ' quote")
			}
			cur.WriteString(line[i+1 : i+1+end])
			inWord = true
			i += end + 2
		case c == '"':
			n, err := doubleQuoted(line[i+1:], &cur)
			if err != nil {
				return nil, err
			}
			inWord = true
			i += n + 1
		case c == '$' && i+1 < len(line) && line[i+1] == '\'':
			n, err := ansiCQuoted(line[i+2:], &cur)
			if err != nil {
				return nil, err
			}
			inWord = true
			i += n + 2
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// doubleQuoted copies the inside of "…" from s (which starts after the
// opening quote) and returns how many bytes it used, closing quote included.
func doubleQuoted(s string, out *strings.Builder) (int, error) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return i + 1, nil
		case '\\':
			if i+1 < len(s) {
				switch s[i+1] {
				case '$', '`', '"', '\\':
					out.WriteByte(s[i+1])
					i++
					continue
				case '\n':
					i++
					continue
				}
			}
			out.WriteByte(c)
		default:
			out.WriteByte(c)
		}
	}
	return 0, errors.New(`unterminated " quote`)
}

// ansiCQuoted decodes the inside of $'…' from s (which starts after the
// opening quote), with the escapes bash documents under QUOTING in bash(1),
// and returns how many bytes it used, closing quote included.
func ansiCQuoted(s string, out *strings.Builder) (int, error) {
	simple := map[byte]byte{'a': '\a', 'b': '\b', 'e': 0x1b, 'E': 0x1b, 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v', '\\': '\\', '\'': '\'', '"': '"', '?': '?'}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			return i + 1, nil
		}
		if c != '\\' || i+1 == len(s) {
			out.WriteByte(c)
			continue
		}
		i++
		e := s[i]
		if b, ok := simple[e]; ok {
			out.WriteByte(b)
			continue
		}
		// digits reads up to max digits of a base from s after the escape
		// letter and returns their value and count.
		digits := func(from, max int, base int) (uint64, int) {
			n := 0
			for n < max && from+n < len(s) && isDigitOf(s[from+n], base) {
				n++
			}
			v, _ := strconv.ParseUint(s[from:from+n], base, 32)
			return v, n
		}
		switch e {
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v, n := digits(i, 3, 8)
			out.WriteByte(byte(v))
			i += n - 1
		case 'x':
			v, n := digits(i+1, 2, 16)
			if n == 0 {
				out.WriteString(`\x`)
				continue
			}
			out.WriteByte(byte(v))
			i += n
		case 'u', 'U':
			max := 4
			if e == 'U' {
				max = 8
			}
			v, n := digits(i+1, max, 16)
			if n == 0 {
				out.WriteByte('\\')
				out.WriteByte(e)
				continue
			}
			if v > utf8.MaxRune {
				return 0, fmt.Errorf(`\%c%s is not a Unicode code point`, e, s[i+1:i+1+n])
			}
			out.WriteRune(rune(v))
			i += n
		case 'c':
			if i+1 < len(s) {
				out.WriteByte(s[i+1] & 0x1f)
				i++
			}
		default:
			// bash keeps an unknown escape as written.
			out.WriteByte('\\')
			out.WriteByte(e)
		}
	}
	return 0, errors.New("unterminated $' quote")
}

func isDigitOf(c byte, base int) bool {
	switch {
	case c >= '0' && c <= '7':
		return true
	case base == 8:
		return false
	case c >= '8' && c <= '9':
		return true
	}
	return base == 16 && (c|0x20 >= 'a' && c|0x20 <= 'f')
}
