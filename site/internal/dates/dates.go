// Package dates checks and shows the dates of the content model, which
// are kept as the writer wrote them, in one of four forms:
//
//	2025-11-20              a day
//	2025-11                 a month: only the month is known
//	2025                    a year
//	2025-10-08/2025-10-09   some day between two days
//
// Written that way they sort by their first day as plain strings: a month
// sorts before the days in it, an interval where its first day would.
package dates

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Forms is how a date may be written, for error messages.
const Forms = "a date: YYYY-MM-DD, YYYY-MM, YYYY, or FIRST/LAST for some day between two (2025-10-08/2025-10-09)"

// Check returns what is wrong with s as a date, or "" when it is one.
func Check(s string) string {
	first, last, interval := strings.Cut(s, "/")
	if !interval {
		return checkPart(s, false)
	}
	if p := checkPart(first, true); p != "" {
		return p
	}
	if p := checkPart(last, true); p != "" {
		return p
	}
	if last <= first {
		return fmt.Sprintf("%s must end after it begins: write FIRST/LAST with FIRST the earlier day", s)
	}
	return ""
}

// checkPart checks one date without a slash; an interval's ends must be days.
func checkPart(s string, day bool) string {
	if !dateShape(s) {
		return fmt.Sprintf("%q is not %s", s, Forms)
	}
	if day && len(s) != len(time.DateOnly) {
		return fmt.Sprintf("%q: both ends of FIRST/LAST must be days, YYYY-MM-DD", s)
	}
	if len(s) == 4 {
		return ""
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:7])
	if m < 1 || m > 12 {
		return fmt.Sprintf("%s has no month %d: months run from 01 to 12", s, m)
	}
	if len(s) == 7 {
		return ""
	}
	d, _ := strconv.Atoi(s[8:])
	if n := daysIn(y, m); d < 1 || d > n {
		return fmt.Sprintf("%s is not a day: %s %d has %d days", s, time.Month(m), y, n)
	}
	return ""
}

// dateShape reports whether s is digits in the shape YYYY, YYYY-MM or
// YYYY-MM-DD.
func dateShape(s string) bool {
	if len(s) != 4 && len(s) != 7 && len(s) != 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i == 4 || i == 7 {
			if s[i] != '-' {
				return false
			}
		} else if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// daysIn is the number of days in month m of year y.
func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Format writes a date for readers: "20 November 2025", "November
// 2025", "2025", "8–9 October 2025", "30 September – 2 October 2025".
// Anything else comes back as it is.
func Format(s string) string {
	if Check(s) != "" {
		return s
	}
	first, last, interval := strings.Cut(s, "/")
	if !interval {
		return readable(s)
	}
	switch {
	case first[:7] == last[:7]:
		return day(first) + "–" + readable(last)
	case first[:4] == last[:4]:
		return day(first) + " " + time.Month(month(first)).String() + " – " + readable(last)
	default:
		return readable(first) + " – " + readable(last)
	}
}

// readable writes a date without a slash for readers.
func readable(s string) string {
	switch len(s) {
	case 4:
		return s
	case 7:
		return time.Month(month(s)).String() + " " + s[:4]
	default:
		return day(s) + " " + time.Month(month(s)).String() + " " + s[:4]
	}
}

// month is the month of a date of at least YYYY-MM, 1 to 12.
func month(s string) int {
	m, _ := strconv.Atoi(s[5:7])
	return m
}

// day is the day of the month of a YYYY-MM-DD date, without a leading zero.
func day(s string) string { return strings.TrimPrefix(s[8:10], "0") }

// Machine is a date as HTML's datetime attribute and the sitemap take
// it: a day, month or year as written, the first day of an interval.
func Machine(s string) string {
	first, _, _ := strings.Cut(s, "/")
	return first
}

// FirstDay is the first day a date can mean, YYYY-MM-DD, for formats
// that need a day (Atom's timestamps).
func FirstDay(s string) string {
	s = Machine(s)
	switch len(s) {
	case 4:
		return s + "-01-01"
	case 7:
		return s + "-01"
	}
	return s
}

// LastDay is the last day a date can mean, YYYY-MM-DD: the end of its
// year or month, or of its interval. A date that Check refuses comes back
// as it is.
func LastDay(s string) string {
	if Check(s) != "" {
		return s
	}
	if _, last, interval := strings.Cut(s, "/"); interval {
		return last
	}
	switch len(s) {
	case 4:
		return s + "-12-31"
	case 7:
		y, _ := strconv.Atoi(s[:4])
		return fmt.Sprintf("%s-%02d", s, daysIn(y, month(s)))
	}
	return s
}
