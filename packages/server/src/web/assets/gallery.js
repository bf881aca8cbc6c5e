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
