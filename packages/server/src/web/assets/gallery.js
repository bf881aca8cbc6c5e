// Progressive only: every page works without this file. It adds the copy button on a snek's page.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const art = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.status);
  if (!art || !status || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      // textContent is the art exactly: the HTML parser drops the one newline written after <pre>.
      await navigator.clipboard.writeText(art.textContent);
      status.textContent = 'Copied.';
    } catch {
      status.textContent = 'Copying failed: select the art and copy it by hand.';
    }
  });
}

// The editor's live preview: the art as it will show, as you type. Without script the Preview button does it.
for (const area of document.querySelectorAll('textarea[data-preview]')) {
  const preview = document.getElementById(area.dataset.preview);
  if (!preview) continue;
  const show = () => {
    preview.textContent = area.value;
  };
  area.addEventListener('input', show);
  show();
  for (const button of area.form.querySelectorAll('button[data-preview-button]')) button.hidden = true;
}
