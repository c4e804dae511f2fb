package sandbox

import (
	"strings"
)

// todoPageSize is To Do's default page size for lists and tasks: 50, as
// measured against Graph in 2026 (jordanburke/microsoft-todo-mcp-server#17;
// Outlook's is 10). Older reports saw 16-18 lists and no nextLink at all.
const todoPageSize = 50

var todoListType = lazyType{build: func() *objType {
	return newObjType("todoTaskList", map[string]*field{
		"displayName":       str(),
		"id":                readOnly(str()),
		"isOwner":           readOnly(boolean()),
		"isShared":          readOnly(boolean()),
		"wellknownListName": readOnly(str()),
	})
}}

var todoListKind = &entityKind{
	typeName: "todoTaskList",
	props:    []string{"id", "displayName", "isOwner", "isShared", "wellknownListName"},
	view:     func(c *call, o Object, z zone) Object { return cloneObject(o) },
}

var linkedResourceType = lazyType{build: func() *objType {
	return newObjType("linkedResource", map[string]*field{
		"webUrl": str(), "applicationName": str(), "displayName": str(), "externalId": str(), "id": readOnly(str()),
	})
}}

var checklistItemType = lazyType{build: func() *objType {
	return newObjType("checklistItem", map[string]*field{
		"displayName": str(), "isChecked": boolean(), "checkedDateTime": readOnly(str()), "createdDateTime": readOnly(str()), "id": readOnly(str()),
	})
}}

var todoTaskType = lazyType{build: func() *objType {
	return newObjType("todoTask", map[string]*field{
		"title":                    str(),
		"body":                     object(itemBodyType.get()),
		"importance":               importanceEnum,
		"status":                   enum("taskStatus", "notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"),
		"categories":               arrayOf(str()),
		"dueDateTime":              object(dateTimeTimeZoneType.get()),
		"startDateTime":            object(dateTimeTimeZoneType.get()),
		"reminderDateTime":         object(dateTimeTimeZoneType.get()),
		"completedDateTime":        object(dateTimeTimeZoneType.get()),
		"isReminderOn":             boolean(),
		"recurrence":               object(patternedRecurrenceType.get()),
		"linkedResources":          arrayOf(object(linkedResourceType.get())),
		"checklistItems":           arrayOf(object(checklistItemType.get())),
		"id":                       readOnly(str()),
		"createdDateTime":          readOnly(str()),
		"lastModifiedDateTime":     readOnly(str()),
		"bodyLastModifiedDateTime": readOnly(str()),
		"hasAttachments":           readOnly(boolean()),
	})
}}

var todoTaskKind = &entityKind{
	typeName: "todoTask",
	props: []string{"id", "body", "bodyLastModifiedDateTime", "categories", "completedDateTime", "createdDateTime",
		"dueDateTime", "hasAttachments", "importance", "isReminderOn", "lastModifiedDateTime", "recurrence",
		"reminderDateTime", "startDateTime", "status", "title", "linkedResources", "checklistItems"},
	view: func(c *call, o Object, z zone) Object {
		v := cloneObject(o)
		v["body"] = viewBody(v["body"], c.bodyType)
		// checklistItems is a navigation property: only $select brings it.
		if sel, _ := c.queryParam("$select"); !strings.Contains(strings.ToLower(sel), "checklistitems") {
			delete(v, "checklistItems")
		}
		return v
	},
}

func listTodoLists(c *call) (result, *graphError) {
	lists := make([]Object, len(c.mbox.TodoLists))
	for i, l := range c.mbox.TodoLists {
		lists[i] = l.List
	}
	return c.collection(lists, todoListKind, todoPageSize, c.subject+"/todo/lists")
}

func (c *call) findList(id string) (int, *graphError) {
	if !wellFormedID(id) {
		return -1, errIDMalformed()
	}
	for i, l := range c.mbox.TodoLists {
		if getString(l.List, "id") == id {
			return i, nil
		}
	}
	return -1, errNotFound()
}

func getTodoList(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$select": true}); err != nil {
		return result{}, err
	}
	sel, err := c.parseSelect(todoListKind)
	if err != nil {
		return result{}, err
	}
	i, err := c.findList(c.ids[0])
	if err != nil {
		return result{}, err
	}
	v := applySelect(cloneObject(c.mbox.TodoLists[i].List), sel)
	v["@odata.context"] = c.contextURL(c.subject + "/todo/lists" + selectSuffix(sel) + "/$entity")
	return ok(v)
}

// checkDisplayName enforces a non-blank list name.
func checkDisplayName(o Object) *graphError {
	if strings.TrimSpace(getString(o, "displayName")) == "" {
		return validationFailed("displayName", "a To Do list needs a non-empty displayName")
	}
	if len([]rune(getString(o, "displayName"))) > 255 {
		return validationFailed("displayName", "displayName is longer than 255 characters")
	}
	return nil
}

func newTodoList(name, wellKnown string) Object {
	return Object{
		"@odata.type":       "#microsoft.graph.todoTaskList",
		"id":                newItemID(),
		"displayName":       name,
		"isOwner":           true,
		"isShared":          false,
		"wellknownListName": wellKnown,
	}
}

func createTodoList(c *call) (result, *graphError) {
	o, err := c.decodeObject(todoListType.get())
	if err != nil {
		return result{}, err
	}
	if err := checkDisplayName(o); err != nil {
		return result{}, err
	}
	l := newTodoList(getString(o, "displayName"), "none")
	ld := &TodoListData{List: l, Tasks: []Object{}}
	if err := c.s.take(c.mbox, addLen(len(c.mbox.TodoLists), todoListLen(ld))); err != nil {
		return result{}, err
	}
	c.mbox.TodoLists = append(c.mbox.TodoLists, ld)
	v := cloneObject(l)
	v["@odata.context"] = c.contextURL(c.subject + "/todo/lists/$entity")
	return created(v)
}

func updateTodoList(c *call) (result, *graphError) {
	i, err := c.findList(c.ids[0])
	if err != nil {
		return result{}, err
	}
	o, err := c.decodeObject(todoListType.get())
	if err != nil {
		return result{}, err
	}
	l := c.mbox.TodoLists[i].List
	if _, ok := o["displayName"]; ok {
		if err := checkDisplayName(o); err != nil {
			return result{}, err
		}
		if getString(l, "wellknownListName") != "none" {
			return result{}, newError(400, "invalidRequest", "The well-known list '%s' cannot be renamed.", getString(l, "displayName"))
		}
		if err := c.s.edit(c.mbox, l, func(l Object) { l["displayName"] = o["displayName"] }); err != nil {
			return result{}, err
		}
	}
	v := cloneObject(l)
	v["@odata.context"] = c.contextURL(c.subject + "/todo/lists/$entity")
	return ok(v)
}

func deleteTodoList(c *call) (result, *graphError) {
	i, err := c.findList(c.ids[0])
	if err != nil {
		return result{}, err
	}
	if wk := getString(c.mbox.TodoLists[i].List, "wellknownListName"); wk != "none" && wk != "" {
		return result{}, newError(400, "invalidRequest", "The well-known list '%s' cannot be deleted.", getString(c.mbox.TodoLists[i].List, "displayName"))
	}
	c.s.charge(c.mbox, removeLen(len(c.mbox.TodoLists), todoListLen(c.mbox.TodoLists[i])))
	c.mbox.TodoLists = append(c.mbox.TodoLists[:i:i], c.mbox.TodoLists[i+1:]...)
	return noContent()
}

func listTasks(c *call) (result, *graphError) {
	i, err := c.findList(c.ids[0])
	if err != nil {
		return result{}, err
	}
	return c.collection(c.mbox.TodoLists[i].Tasks, todoTaskKind, todoPageSize, c.subject+"/todo/lists('"+c.ids[0]+"')/tasks")
}

func (c *call) findTask() (*TodoListData, int, *graphError) {
	li, err := c.findList(c.ids[0])
	if err != nil {
		return nil, -1, err
	}
	if !wellFormedID(c.ids[1]) {
		return nil, -1, errIDMalformed()
	}
	l := c.mbox.TodoLists[li]
	for i, t := range l.Tasks {
		if getString(t, "id") == c.ids[1] {
			return l, i, nil
		}
	}
	return nil, -1, errNotFound()
}

func (c *call) taskContext() string {
	return c.contextURL(c.subject + "/todo/lists('" + c.ids[0] + "')/tasks/$entity")
}

func getTask(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$select": true}); err != nil {
		return result{}, err
	}
	sel, err := c.parseSelect(todoTaskKind)
	if err != nil {
		return result{}, err
	}
	l, i, err := c.findTask()
	if err != nil {
		return result{}, err
	}
	v := applySelect(todoTaskKind.view(c, l.Tasks[i], c.tz), sel)
	v["@odata.context"] = c.taskContext()
	return ok(v)
}

// normalizeTask checks a whole task and fills derived properties; it
// changes t only when it succeeds.
func normalizeTask(t Object, nowStamp string) *graphError {
	if strings.TrimSpace(getString(t, "title")) == "" {
		return validationFailed("title", "a task needs a non-empty title")
	}
	dts := map[string]Object{}
	for _, k := range []string{"dueDateTime", "startDateTime", "reminderDateTime", "completedDateTime"} {
		if v := getObject(t, k); v != nil {
			tm, z, err := parseDateTimeTimeZone(v)
			if err != nil {
				return validationFailed(k, err.Error())
			}
			dts[k] = formatDateTimeTimeZone(tm, z)
		}
	}
	var rec Object
	if r := getObject(t, "recurrence"); r != nil {
		due := getObject(t, "dueDateTime")
		if due == nil {
			return validationFailed("recurrence", "a recurring task needs a dueDateTime")
		}
		tm, z, _ := parseDateTimeTimeZone(due)
		var err error
		if rec, err = normalizeRecurrence(r, tm.In(z.loc), z); err != nil {
			return validationFailed("recurrence", err.Error())
		}
	}
	links := []any{}
	for _, l := range getArray(t, "linkedResources") {
		lm := cloneObject(l.(map[string]any))
		if getString(lm, "id") == "" {
			lm["id"] = newGUID()
		}
		links = append(links, lm)
	}
	items := []any{}
	for _, it := range getArray(t, "checklistItems") {
		im := cloneObject(it.(map[string]any))
		if getString(im, "id") == "" {
			im["id"] = newGUID()
			im["createdDateTime"] = nowStamp
		}
		if _, ok := im["isChecked"]; !ok {
			im["isChecked"] = false
		}
		items = append(items, im)
	}
	body, _ := normalizeBody(t["body"])
	for k, v := range dts {
		t[k] = v
	}
	if rec != nil {
		t["recurrence"] = rec
	}
	t["linkedResources"] = links
	t["checklistItems"] = items
	if body["contentType"] == "html" && body["content"] == "" {
		body["contentType"] = "text"
	}
	t["body"] = body
	if t["status"] == "completed" && t["completedDateTime"] == nil {
		t["completedDateTime"] = Object{"dateTime": nowStamp[:len(nowStamp)-1], "timeZone": "UTC"}
	}
	t["lastModifiedDateTime"] = nowStamp
	t["@odata.etag"] = etagOf(newChangeKey())
	return nil
}

func createTask(c *call) (result, *graphError) {
	li, err := c.findList(c.ids[0])
	if err != nil {
		return result{}, err
	}
	o, err := c.decodeObject(todoTaskType.get())
	if err != nil {
		return result{}, err
	}
	now := timestamp(c.s.now())
	t := Object{
		"importance":               "normal",
		"isReminderOn":             false,
		"status":                   "notStarted",
		"createdDateTime":          now,
		"bodyLastModifiedDateTime": now,
		"hasAttachments":           false,
		"categories":               []any{},
		"id":                       newItemID(),
		"body":                     Object{"content": "", "contentType": "text"},
	}
	for k, v := range o {
		if v != nil && !strings.HasPrefix(k, "@") {
			t[k] = v
		}
	}
	if err := normalizeTask(t, now); err != nil {
		return result{}, err
	}
	l := c.mbox.TodoLists[li]
	if err := c.s.take(c.mbox, addLen(len(l.Tasks), jsonLen(t))); err != nil {
		return result{}, err
	}
	l.Tasks = append(l.Tasks, t)
	v := todoTaskKind.view(c, t, c.tz)
	v["@odata.context"] = c.taskContext()
	return created(v)
}

func updateTask(c *call) (result, *graphError) {
	l, i, err := c.findTask()
	if err != nil {
		return result{}, err
	}
	if err := c.checkIfMatch(getString(l.Tasks[i], "@odata.etag")); err != nil {
		return result{}, err
	}
	patch, err := c.decodeObject(todoTaskType.get())
	if err != nil {
		return result{}, err
	}
	merged := cloneObject(l.Tasks[i])
	now := timestamp(c.s.now())
	for k, v := range patch {
		if strings.HasPrefix(k, "@") {
			continue
		}
		merged[k] = v
		if k == "body" {
			merged["bodyLastModifiedDateTime"] = now
		}
		if k == "status" && v != "completed" {
			merged["completedDateTime"] = nil
		}
	}
	if err := normalizeTask(merged, now); err != nil {
		return result{}, err
	}
	if err := c.s.take(c.mbox, sizeDelta(l.Tasks[i], merged)); err != nil {
		return result{}, err
	}
	l.Tasks[i] = merged
	v := todoTaskKind.view(c, merged, c.tz)
	v["@odata.context"] = c.taskContext()
	return ok(v)
}

func deleteTask(c *call) (result, *graphError) {
	l, i, err := c.findTask()
	if err != nil {
		return result{}, err
	}
	if err := c.checkIfMatch(getString(l.Tasks[i], "@odata.etag")); err != nil {
		return result{}, err
	}
	c.s.charge(c.mbox, removeLen(len(l.Tasks), jsonLen(l.Tasks[i])))
	l.Tasks = append(l.Tasks[:i:i], l.Tasks[i+1:]...)
	return noContent()
}
