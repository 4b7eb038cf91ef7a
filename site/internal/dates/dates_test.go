package dates

import (
	"regexp"
	"strings"
	"testing"
)

func TestDate(t *testing.T) {
	tests := []struct {
		s, problem, reads, machine, first, last string
	}{
		{s: "2025-11-20", reads: "20 November 2025", machine: "2025-11-20", first: "2025-11-20", last: "2025-11-20"},
		{s: "2025-01-05", reads: "5 January 2025", machine: "2025-01-05", first: "2025-01-05", last: "2025-01-05"},
		{s: "2024-02", reads: "February 2024", machine: "2024-02", first: "2024-02-01", last: "2024-02-29"},
		{s: "2024-02-29", reads: "29 February 2024", machine: "2024-02-29", first: "2024-02-29", last: "2024-02-29"},
		{s: "2025-10", reads: "October 2025", machine: "2025-10", first: "2025-10-01", last: "2025-10-31"},
		{s: "2022", reads: "2022", machine: "2022", first: "2022-01-01", last: "2022-12-31"},
		{s: "2025-10-08/2025-10-09", reads: "8–9 October 2025", machine: "2025-10-08", first: "2025-10-08", last: "2025-10-09"},
		{s: "2025-09-30/2025-10-02", reads: "30 September – 2 October 2025", machine: "2025-09-30", first: "2025-09-30", last: "2025-10-02"},
		{s: "2025-12-30/2026-01-02", reads: "30 December 2025 – 2 January 2026", machine: "2025-12-30", first: "2025-12-30", last: "2026-01-02"},
		{s: "2025-02-29", problem: "2025-02-29 is not a day: February 2025 has 28 days"},
		{s: "2025-11-31", problem: "2025-11-31 is not a day: November 2025 has 30 days"},
		{s: "2025-11-00", problem: "2025-11-00 is not a day: November 2025 has 30 days"},
		{s: "2025-13", problem: "2025-13 has no month 13: months run from 01 to 12"},
		{s: "2025-00-10", problem: "2025-00-10 has no month 0: months run from 01 to 12"},
		{s: "2025-1-20", problem: `"2025-1-20" is not a date`},
		{s: "25-11-20", problem: `"25-11-20" is not a date`},
		{s: "2025-11-20T10:00:00Z", problem: `"2025-11-20T10:00:00Z" is not a date`},
		{s: "", problem: `"" is not a date`},
		{s: "2025-10-09/2025-10-08", problem: "2025-10-09/2025-10-08 must end after it begins"},
		{s: "2025-10-09/2025-10-09", problem: "2025-10-09/2025-10-09 must end after it begins"},
		{s: "2025-10/2025-11", problem: `"2025-10": both ends of FIRST/LAST must be days`},
		{s: "2025-10-08/2025-10-32", problem: "2025-10-32 is not a day: October 2025 has 31 days"},
		{s: "2025-10-08/2025-10-09/2025-10-10", problem: `"2025-10-09/2025-10-10" is not a date`},
	}
	for _, tt := range tests {
		got := Check(tt.s)
		if tt.problem == "" {
			if got != "" {
				t.Errorf("Check(%q) = %q, want no problem", tt.s, got)
			}
		} else if !strings.HasPrefix(got, tt.problem) {
			t.Errorf("Check(%q) = %q, want %q…", tt.s, got, tt.problem)
		}
		if tt.problem != "" {
			if got := Format(tt.s); got != tt.s {
				t.Errorf("Format(%q) = %q, want it unchanged", tt.s, got)
			}
			continue
		}
		if got := Format(tt.s); got != tt.reads {
			t.Errorf("Format(%q) = %q, want %q", tt.s, got, tt.reads)
		}
		if got := Machine(tt.s); got != tt.machine {
			t.Errorf("Machine(%q) = %q, want %q", tt.s, got, tt.machine)
		}
		if got := FirstDay(tt.s); got != tt.first {
			t.Errorf("FirstDay(%q) = %q, want %q", tt.s, got, tt.first)
		}
		if got := LastDay(tt.s); got != tt.last {
			t.Errorf("LastDay(%q) = %q, want %q", tt.s, got, tt.last)
		}
	}
}

// htmlDatetime is what HTML's datetime attribute takes of the forms
// Machine gives: a year, a month or a day.
var htmlDatetime = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2025-11-20", "2025-10", "2022", "2025-10-08/2025-10-09", "2025-02-29", "2025-1-2", "/", "2025-10-08/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Check(s) != "" {
			if Format(s) != s {
				t.Fatalf("Format(%q) changed a date it rejects", s)
			}
			return
		}
		m, d := Machine(s), FirstDay(s)
		if !htmlDatetime.MatchString(m) || len(d) != 10 || Check(d) != "" || !strings.HasPrefix(d, m) {
			t.Fatalf("%q: Machine %q, FirstDay %q", s, m, d)
		}
		if r := Format(s); r == "" || strings.ContainsAny(r, "/") {
			t.Fatalf("Format(%q) = %q", s, r)
		}
	})
}
