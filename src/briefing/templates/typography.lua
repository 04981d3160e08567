-- After citeproc: mark what must never be hyphenated or split, and what language a
-- reference is in, so that every format (print, screen, e-reader, Word) can honour it.
--
-- * Proper names become Spans of class "name": no hyphen inside "Derksen" or "Alibaba", no
--   "Zwar / t", and a name with a hyphen of its own ("ChinaTalk.nl", "Jean-Luc") is never
--   broken at it either. A word is a proper name when it is
--     - one of `typography.names` (authors of cited works, the people the sources quote,
--       and every word the argument base writes with a capital where no sentence starts:
--       compose/metadata.py), wherever it stands, even first in a sentence; or
--     - written with a capital where no sentence starts: English and Dutch capitalise a
--       word inside a sentence only when it is a name, a title or made from one
--       ("Kühnreich", "Alibaba", "Chinakenner", "Artificial Intelligence Act").
--   Only a word that could be broken is marked: one of six letters or more (print.css
--   hyphenates nothing shorter), or one with a hyphen.
-- * The title of a periodical or series a cited work appeared in (`typography.titles`:
--   "Human Rights Quarterly", "Black Mirror") is set in italics wherever the text names
--   it, as the reference list sets it; a title already in italics is left as it is.
-- * Each reference's entry (Div "ref-KEY") gets the language of the work it lists, so
--   an English title in the Dutch edition is hyphenated by English rules.
-- * A link whose text is its own address gets class "url": printed exactly, broken only
--   where the address has a "/", "." or "-", never with a hyphen added.
--
-- The names, titles and languages come from the document's metadata (briefing writes
-- `typography` from the bibliography and the sources: compose/metadata.py).
--
-- Run on a chapter as it is read, before citeproc (metadata `briefing-citations-later`
-- true), it leaves every citation as it is: the citations are marked after citeproc has
-- rendered them, in one run over the citations alone (outputs/ast.py). Each text is then
-- marked exactly once, as in one run over the whole document after citeproc. So every
-- decision is the block's own: a citation's words are read as inside a sentence, and
-- the text around a citation as if it were not there.

local names = {}
local every = false  -- an empty name makes every word a name
local languages = {}
local titles = {}  -- first word -> the titles (lists of words) that start with it

local function collect(meta)
  local t = meta.typography
  if not t then return end
  for _, name in ipairs(t.names or {}) do
    local text = pandoc.utils.stringify(name)
    names[text] = true
    if text == "" then every = true end
  end
  for _, title in ipairs(t.titles or {}) do
    local words = {}
    for word in pandoc.utils.stringify(title):gmatch("%S+") do words[#words + 1] = word end
    if #words > 0 then
      titles[words[1]] = titles[words[1]] or {}
      table.insert(titles[words[1]], words)
    end
  end
  for key, lang in pairs(t.languages or {}) do
    languages[key] = pandoc.utils.stringify(lang)
  end
end

-- Quotation marks and brackets that open or close a word. Lua patterns match bytes, so
-- the three-byte marks are listed, never put in a class.
local OPENING = {["“"] = true, ["‘"] = true, ["„"] = true, ["«"] = true, ["‹"] = true}
local CLOSING = {["”"] = true, ["’"] = true, ["»"] = true, ["›"] = true}

-- "(“ChinaTalk.nl”)." -> "(“", "ChinaTalk.nl", "”).": the word between its punctuation.
local function parts(text)
  local first, last = 1, #text
  while first <= last do
    if text:sub(first, first):match("%p") then
      first = first + 1
    elseif OPENING[text:sub(first, first + 2)] then
      first = first + 3
    else
      break
    end
  end
  while last >= first do
    if text:sub(last, last):match("%p") then
      last = last - 1
    elseif last - 2 >= first and CLOSING[text:sub(last - 2, last)] then
      last = last - 3
    else
      break
    end
  end
  return text:sub(1, first - 1), text:sub(first, last), text:sub(last + 1)
end

-- The word's first letter is a capital ("Kühnreich", "Ørsted", not "eBay" or "2016").
local function capitalised(word)
  local byte = word:byte(1)
  if not byte then return false end
  if byte >= 65 and byte <= 90 then return true end
  if byte < 0xC3 then return false end  -- ASCII that is no capital, Latin-1 signs
  local letter = pandoc.text.sub(word, 1, 1)
  return pandoc.text.upper(letter) == letter and pandoc.text.lower(letter) ~= letter
end

-- Could be broken at a line end: six letters or more, or a hyphen of its own.
local function breakable(word)
  return word:find("-", 1, true) ~= nil or pandoc.text.len(word) >= 6
end

-- The word ends a sentence: "2020.", "it?”", "(para. 3)." (an abbreviation's full stop
-- counts too; a capital after "para." is then read as a sentence's first word).
local function ends_sentence(text)
  local t = text
  while #t > 0 do
    local last = t:sub(-1)
    if last == ")" or last == "]" or last == '"' or last == "'" then
      t = t:sub(1, -2)
    elseif CLOSING[t:sub(-3)] then
      t = t:sub(1, -4)
    else
      break
    end
  end
  return t:match("[.!?]$") ~= nil
end

-- A name of the list at the start of `word`, possibly followed by a possessive ending:
-- "Derksen", "Zwart's", "Zwart’s", "Derksens", "Derksens’".
local function listed(word)
  if every or names[word] then return word, "" end
  for _, ending in ipairs({"’s", "'s", "s", "’", "s’"}) do
    if #word > #ending and word:sub(-#ending) == ending then
      local name = word:sub(1, #word - #ending)
      if names[name] then return name, word:sub(#name + 1) end
    end
  end
end

local function mark(lead, name, rest)
  local out = pandoc.Inlines({})
  if lead ~= "" then out:insert(pandoc.Str(lead)) end
  out:insert(pandoc.Span({pandoc.Str(name)}, pandoc.Attr("", {"name"})))
  if rest ~= "" then out:insert(pandoc.Str(rest)) end
  return out
end

-- One Str: its replacement (or nil), given whether a sentence starts with it.
local function protect_word(text, initial)
  local lead, word, trail = parts(text)
  if word == "" then return nil end
  local name, ending = listed(word)
  if name then return mark(lead, name, ending .. trail) end
  -- A word all in capitals is an acronym or the draft's "[NOT TRANSLATED]", no name.
  if not initial and capitalised(word) and breakable(word)
      and pandoc.text.upper(word) ~= word then
    return mark(lead, word, trail)
  end
end

-- A title of `titles` written at inlines[i] ("Human", " ", "Rights", " ", "Quarterly;"):
-- the number of inlines it takes, and the punctuation before and after it.
local function possessive(word)
  for _, ending in ipairs({"’s", "'s"}) do
    if #word > #ending and word:sub(-#ending) == ending then
      return word:sub(1, #word - #ending), ending
    end
  end
  return word, ""
end

local function title_at(inlines, i)
  local lead, first, trail = parts(inlines[i].text)
  local first_bare = possessive(first)
  for _, words in ipairs(titles[first] or titles[first_bare] or {}) do
    local j, ok = i, true
    local last, last_trail = first, trail
    for k = 2, #words do
      local space, word = inlines[j + 1], inlines[j + 2]
      if not (last == words[k - 1] and last_trail == "" and space and word
              and (space.t == "Space" or space.t == "SoftBreak") and word.t == "Str") then
        ok = false
        break
      end
      local before
      before, last, last_trail = parts(word.text)
      if before ~= "" then ok = false break end
      j = j + 2
    end
    local bare, ending = possessive(last)
    if ok and (last == words[#words] or bare == words[#words]) then
      if last ~= words[#words] then last_trail = ending .. last_trail end
      return j - i + 1, lead, last_trail, words
    end
  end
end

-- Inlines whose words are read as text of the sentence around them.
local CONTAINERS = {Emph = true, Strong = true, Underline = true, Strikeout = true,
                    Superscript = true, Subscript = true, SmallCaps = true, Span = true,
                    Link = true, Quoted = true}

-- The words of `inlines` in reading order, each Str fetched from Pandoc once (each s.text
-- is a conversion: a filter that fetched every word for every name took most of a long
-- document's Pandoc time). `state.initial`: the next word starts a sentence.
local function protect_run(inlines, state)
  local out = pandoc.Inlines({})
  local i = 0
  while i < #inlines do
    i = i + 1
    local el = inlines[i]
    local kind = el.t
    local count, lead, trail, words
    if kind == "Str" and not state.emphasised then
      count, lead, trail, words = title_at(inlines, i)
    end
    if count then
      -- The title of a periodical or series, in italics ("in Human Rights Quarterly").
      local title = pandoc.Inlines({})
      for k, word in ipairs(words) do
        if k > 1 then title:insert(pandoc.Space()) end
        title:insert(pandoc.Str(word))
      end
      local run = pandoc.Inlines({})
      if lead ~= "" then run:insert(pandoc.Str(lead)) end
      run:insert(pandoc.Emph(title))
      if trail ~= "" then run:insert(pandoc.Str(trail)) end
      out:extend(protect_run(run, state))
      i = i + count - 1
    elseif kind == "Str" then
      local text = el.text
      local new = protect_word(text, state.initial)
      state.initial = ends_sentence(text)
      if new then out:extend(new) else out:insert(el) end
    elseif kind == "Cite" then
      -- A citation is read alone after citeproc (see above): its words as inside a
      -- sentence, and the text after it as if it were not there.
      local outer = state.initial
      state.initial = false
      el.content = protect_run(el.content, state)
      state.initial = outer
      out:insert(el)
    elseif CONTAINERS[kind] and not (kind == "Span" and el.classes:includes("name")) then
      local outer = state.emphasised
      state.emphasised = outer or kind == "Emph"  -- a title already in italics stays as it is
      el.content = protect_run(el.content, state)
      state.emphasised = outer
      out:insert(el)
    else
      out:insert(el)  -- spaces, breaks, code, notes (their paragraphs are blocks of their own)
    end
  end
  return out
end

local function protect(inlines)
  return protect_run(inlines, {initial = true, emphasised = false})
end

local function mark_urls(inlines)
  return inlines:walk({
    Link = function(link)
      if pandoc.utils.stringify(link.content) == link.target then
        link.classes:insert("url")
      end
      return link
    end,
  })
end

-- Apply `change` to the inline content of every paragraph and plain block under `node`
-- (and of every heading, with `headings`).
local function each_text(node, change, headings)
  local function apply(block)
    block.content = change(block.content)
    return block
  end
  return node:walk({Para = apply, Plain = apply, Header = headings and apply or nil})
end

-- `change` applied to `blocks` with every citation set aside: each Cite is swapped for an
-- empty placeholder Span (numbered in an attribute), and put back after.
local PLACEHOLDER = "data-briefing-citation-placeholder"

local function without_citations(blocks, change)
  local kept = {}
  blocks = blocks:walk({
    Cite = function(cite)
      kept[#kept + 1] = cite
      return pandoc.Span({}, pandoc.Attr("", {}, {{PLACEHOLDER, tostring(#kept)}}))
    end,
  })
  blocks = change(blocks)
  return blocks:walk({
    Span = function(span)
      local n = span.attributes[PLACEHOLDER]
      if n then return kept[tonumber(n)] end
    end,
  })
end

function Pandoc(doc)
  collect(doc.meta)
  -- Every paragraph, plain block and heading (citations, references and table cells
  -- included); each Str is seen once.
  if doc.meta["briefing-citations-later"] then
    doc.blocks = without_citations(doc.blocks, function(blocks)
      return each_text(blocks, protect, true)
    end)
  else
    doc.blocks = each_text(doc.blocks, protect, true)
  end
  doc.blocks = doc.blocks:walk({
    Div = function(div)
      local key = div.identifier:match("^ref%-(.+)$")
      if key then
        if languages[key] then
          div.attributes.lang = languages[key]
        end
        return each_text(div, mark_urls, false)
      end
    end,
  })
  return doc
end
