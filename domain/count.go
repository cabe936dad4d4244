package domain

import "strconv"

// Count writes n followed by the words that agree with it: Count(1, "row",
// "rows") is "1 row" and Count(2, "row", "rows") is "2 rows". A phrase
// with its verb agrees the same way: Count(1, "row has", "rows have") is
// "1 row has". Every count in command-line, report and message text goes
// through it, so none reads "1 rows".
func Count[N ~int | ~int64](n N, one, many string) string {
	word := many
	if n == 1 || n == -1 {
		word = one
	}
	return strconv.FormatInt(int64(n), 10) + " " + word
}
