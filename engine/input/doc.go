// Package input turns what a person types in answer to a question into a
// typed value, and back.
//
// The engine calls [Parse] with an input's [Type], the answer and a
// [Context] (the reference time, the time zone, the options of a choice,
// whether an answer is required). A bad answer gives an [*Error] whose
// Message is written for the person: it says what was wrong and shows a good
// answer, so the engine can show it and ask the same question again. Nothing
// here panics on any input; answers are limited in size (1 KiB for one-line
// types, 16 KiB for a list of emails, 64 KiB for text) and must be valid
// UTF-8 without NUL characters.
//
// [Format] writes a value as canonical text that Parse reads back to an equal
// value (with the same zone), which is how a paused session keeps its
// answers. [FromJSON] converts values given up front in JSON or YAML. [LoadZone]
// loads IANA zones and the Windows zone names Microsoft Graph uses.
//
// # Accepted answers
//
// Every answer is trimmed of surrounding spaces first. A blank answer is an
// error when the input is required; otherwise it gives no value: "" for
// string and text, an empty list for emails, nil for the other types.
//
// string: one line. Line breaks and control characters are refused.
//
// text: several lines; "\r\n" and "\r" become "\n".
//
// integer: "42", "-3", "+7" → int64. Decimals ("4.5"), digit separators
// ("1,000") and numbers beyond the int64 range are refused with a message
// saying so.
//
// number: "4.5", "-3", ".5", "1e6" → float64. A decimal comma ("4,5"),
// "NaN", "Inf", hexadecimal forms and values beyond float64 are refused.
//
// boolean: yes, no, y, n, true, false, in any case → bool.
//
// email: one address, "name@example.com" or "Name <name@example.com>" (the
// bare address is kept, as typed). The part before @ is a dot-atom (letters,
// digits and !#$%&'*+-/=?^_`{|}~, dots not first, last or doubled; quoted
// local parts are refused); the domain has at least two labels of letters,
// digits and hyphens (not first or last) and a top-level domain of two or
// more characters that is not all digits; at most
// 64 characters before @ and 254 in all. Non-ASCII letters are allowed.
//
// emails: addresses separated by commas or semicolons (a comma inside a
// quoted display name does not split), each one checked as for email; the
// message for a bad one says which entry it is ("Address 2, ..."). Duplicates
// are dropped ignoring case, keeping the first spelling; empty entries (a
// trailing comma) are skipped; at most 500 addresses. "none" gives an empty
// list, like a blank answer, and is refused when the input is required.
//
// date, time, datetime: read in Context.Zone (UTC when nil) relative to
// Context.Now. Accepted:
//
//   - ISO 8601 / RFC 3339: "2026-12-01", "2026-12-01 15:00",
//     "2026-12-01T15:00:30.5". With an offset ("2026-12-01T15:00:00Z",
//     "...+05:30") it is that instant, returned in the zone; without one it
//     is a wall-clock time in the zone.
//   - Days: "today", "tomorrow", "yesterday", "day after tomorrow";
//     weekdays, full or short ("monday", "mon"): plain, "this", "coming" and
//     "on monday" mean the first such day from today on, today included;
//     "next monday" the first one after today (in 7 days if today is a
//     Monday); "last monday" the most recent one before today.
//   - Named months: "dec 1", "december 1st", "1 december", "1 dec 2026",
//     "the 1st of december 2026". Without a year it is the next such date,
//     today included ("feb 29" waits for a leap year); give the year to mean
//     a past date.
//   - "2026/12/01" (year first) and "1.12.2026" (day.month.year). Forms
//     with slashes and the year last ("01/02/2026") are refused because
//     countries read them differently; the message offers the ISO form.
//   - Times of day: "15:00", "15:00:30", "9am", "9 am", "9:30 pm",
//     "9.30pm", "9 p.m.", "noon", "midday", "midnight" (the start of the
//     day), optionally after "at". A bare hour ("at 9") is refused as
//     unclear. With am/pm the hour is 1 to 12; "12am" is 00:00 and "12pm"
//     noon.
//   - A day and a time in either order, with or without "at": "tomorrow
//     9am", "next monday 14:30", "today at 3pm", "9am tomorrow",
//     "dec 1 9:30pm", "2026-12-01 3pm".
//   - "now"; relative answers: "in 2 hours", "in 30 minutes", "in 1h30m",
//     "in an hour", "2 hours from now" (on the clock), "in 3 days",
//     "in 2 weeks", "in a month", "in 1 year", "3 days ago" (on the
//     calendar: same time of day, months clamped to their last day).
//
// A date is the start of that day in the zone: midnight, or the moment
// the clocks jump to on a day when a daylight-saving change skips midnight.
// Any answer with a day is accepted for a date ("tomorrow 9am" gives
// tomorrow); a time alone is not.
//
// A time is a time of day on today's date in the zone; a full date and time
// is accepted too (Format writes a time as RFC 3339).
//
// A datetime needs a time of day: "tomorrow" alone is refused with a message
// suggesting "tomorrow 9am"; a time alone means today.
//
// Daylight saving: a wall-clock time that does not exist in the zone (the
// hour skipped when clocks go forward) is refused with a message saying what
// the clocks do that day and suggesting the time after the change. A time
// that occurs twice (when clocks go back) is the earlier of the two.
//
// Dates and times are limited to the years 1000 to 9999 (in the zone and in
// UTC), so that Format's four-digit years always read back.
//
// duration: Go notation ("30m", "1h30m", "1.5h", "90s", "500ms"), words
// ("90 minutes", "1 hour 30 minutes", "1 hour and 30 minutes", "an hour",
// "half an hour", "2 days", "1 week"; units ns, us, ms, s/sec/second,
// m/min/minute, h/hr/hour, d/day, w/wk/week, singular or plural), or hours
// and minutes on a clock ("1:30"). It must be more than zero and at most
// 366 days → time.Duration.
//
// choice: the option's 1-based number as shown, its value or its label.
// An exact value wins first (so a stored value always reads back to
// itself), then the number, then value or label ignoring case. A label
// shared by several options is refused with a message listing them; an
// unknown answer gets the list of options (at most 10 shown). The result is
// the option's value.
//
// # Time zones
//
// [LoadZone] accepts IANA names ("Europe/Berlin"), "UTC", and the Windows
// ids that Microsoft Graph returns in mailboxSettings.timeZone ("W. Europe
// Standard Time", "India Standard Time", any case), through an embedded copy
// of CLDR's windowsZones "001" mapping. The tz database is embedded
// (time/tzdata), so zones load on any machine. [WindowsZoneName] goes the
// other way.
package input
