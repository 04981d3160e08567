-- After citeproc: mark what must never be hyphenated or split, and what language a
-- reference is in, so that every format (print, screen, e-reader, Word) can honour it.
--
-- * The names of cited authors and of the people the sources quote, wherever the text
--   prints them, become Spans of class "name": no hyphen inside "Derksen", no "Zwar / t".
-- * Each reference's entry (Div "ref-KEY") gets the language of the work it lists, so
--   an English title in the Dutch edition is hyphenated by English rules.
-- * A link whose text is its own address gets class "url": printed exactly, broken only
--   where the address has a "/", "." or "-", never with a hyphen added.
--
-- The names and languages come from the document's metadata (briefing writes
-- `typography.names` and `typography.languages` from the bibliography).
--
-- Run on a chapter as it is read, before citeproc (metadata `briefing-citations-later`
-- true), it leaves every citation as it is: the citations are marked after citeproc has
-- rendered them, in one run over the citations alone (outputs/ast.py). Each text is then
-- marked exactly once, as in one run over the whole document after citeproc.

local names = {}
local initials = {}  -- the first byte of every name: most words start with none of them
local every = false  -- an empty name starts every word
local languages = {}

local function collect(meta)
  local t = meta.typography
  if not t then return end
  for _, name in ipairs(t.names or {}) do
    local text = pandoc.utils.stringify(name)
    names[text] = true
    if text == "" then every = true else initials[text:byte(1)] = true end
  end
  for key, lang in pairs(t.languages or {}) do
    languages[key] = pandoc.utils.stringify(lang)
  end
end

local function protect(inlines)
  return inlines:walk({
    Str = function(s)
      -- A name, possibly followed by punctuation or a possessive ending: "Derksen,",
      -- "Zwart's", "Zwart’s", "Derksens".
      -- The text is fetched from Pandoc once (each s.text is a conversion), and a word
      -- whose first byte starts no name is passed at once: a loop over every name for
      -- every word made this filter most of a 40-chapter document's Pandoc time.
      local text = s.text
      if not every and not initials[text:byte(1) or 0] then
        return nil
      end
      for name in pairs(names) do
        if text:sub(1, #name) == name then
          local rest = text:sub(#name + 1)
          -- Lua patterns match bytes, so the three-byte ’ is spelt out, never put in a class.
          if rest == "" or rest:match("^[%p]+$") or rest:match("^'s[%p]*$")
              or rest:match("^’s[%p]*$") or rest:match("^s[%p]*$")
              or rest:match("^’[%p]*$") then
            local span = pandoc.Span({pandoc.Str(name)}, pandoc.Attr("", {"name"}))
            if rest ~= "" then
              return {span, pandoc.Str(rest)}
            end
            return span
          end
        end
      end
    end,
  })
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
