package questionnaires

// Anonymous projects keep no time finer than the day. A session with
// [Options.DayOnly] makes every time value of the interview a day at its
// source: the clock that now(), today() and the start, end and today
// metadata read is the start of the UTC day, and a dateTime answer keeps
// its date. What expressions derive from them is then a day too. A time
// question cannot be cut (a time of day without its time is nothing):
// [AnonymousProblems] refuses it.

// AnonymousProblems lists what keeps f from being used in an anonymous
// project: an error for each time question (a time of day cannot be cut
// to the day), a warning for each dateTime question (its answer keeps
// only its date). Each names the survey row.
func AnonymousProblems(f *Form) []Problem {
	ps := &problems{file: f.Filename}
	f.Walk(func(n *Node) {
		switch n.Type {
		case "time":
			ps.errorf(f.surveySheet, n.Row, "type", "anonymous_time", n.Name)
		case "dateTime":
			ps.warnf(f.surveySheet, n.Row, "type", "anonymous_datetime", n.Name)
		}
	})
	lastSavedAnonymous(f, ps)
	return ps.list
}
