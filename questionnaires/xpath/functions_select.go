package xpath

func init() {
	register(map[string]*function{
		"selected":       {min: 2, max: 2, ret: kindBool, eval: fnSelected},
		"selected-at":    {min: 2, max: 2, ret: kindString, eval: fnSelectedAt},
		"count-selected": {min: 1, max: 1, ret: kindNumber, eval: fnCountSelected},
		"jr:choice-name": {min: 2, max: 2, ret: kindString, eval: fnChoiceName},
	})
}

// fnSelected is selected(answer, choice): whether the space-separated
// answer of a select_multiple contains choice (trimmed).
func fnSelected(st *state, c *call) (Value, error) {
	a, err := st.stringArgs(c)
	if err != nil {
		return nil, err
	}
	needle := a[1]
	if f := xmlFields(needle); len(f) == 1 {
		needle = f[0]
	}
	for _, s := range xmlFields(a[0]) {
		if s == needle {
			return BoolValue(true), nil
		}
	}
	return BoolValue(false), nil
}

// fnSelectedAt is selected-at(answer, i): the i-th choice (0-based), ""
// out of range.
func fnSelectedAt(st *state, c *call) (Value, error) {
	s, err := st.argString(c, 0)
	if err != nil {
		return nil, err
	}
	i, err := st.intArg(c, 1, -1)
	if err != nil {
		return nil, err
	}
	f := xmlFields(s)
	if i < 0 || i >= len(f) {
		return StringValue(""), nil
	}
	return StringValue(f[i]), nil
}

// fnCountSelected is the number of choices in a select_multiple answer.
func fnCountSelected(st *state, c *call) (Value, error) {
	s, err := st.argString(c, 0)
	return NumberValue(len(xmlFields(s))), err
}

// fnChoiceName is jr:choice-name(value, question): the choice's label,
// from the Context.
func fnChoiceName(st *state, c *call) (Value, error) {
	a, err := st.stringArgs(c)
	if err != nil {
		return nil, err
	}
	if a[0] == "" {
		return StringValue(""), nil
	}
	label, err := st.ctx.ChoiceName(a[0], a[1])
	if err != nil {
		return nil, wrapAt(c, err)
	}
	return StringValue(label), nil
}
